/** The part of jsfive (a pure JavaScript HDF5 reader) that the NIR reader uses. */
declare module 'jsfive' {
  export class Group {
    readonly name: string;
    readonly keys: string[];
    get(path: string): Group | Dataset;
    readonly attrs: Record<string, unknown>;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
  export class Dataset {
    readonly name: string;
    readonly shape: number[];
    /** A numpy-style type string ('<f4', '<i8', '|S12') or a tuple for variable-length types. */
    readonly dtype: string | unknown[];
    readonly value: unknown;
    readonly attrs: Record<string, unknown>;
  }
}
