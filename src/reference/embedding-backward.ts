/**
 * Gradient of an embedding lookup, without atomics: the batch's token occurrences are grouped by
 * row beforehand (`groupOccurrences`, on the CPU, which knows the ids), then one GPU thread per
 * (row, component) sums its occurrences in order. Twin of `shaders/embedding_backward.wgsl`:
 * ```
 * dTable[rows[u]][d] = Σ_{o in offsets[u] .. offsets[u+1]−1} dX[occurrences[o]][d]
 * ```
 * Rows that do not occur are left as they are (the caller clears the gradient first).
 */
export interface OccurrenceGroups {
  /** Distinct rows of the batch, ascending. */
  rows: Uint32Array;
  /** `[rows.length + 1]` start of each row's occurrences. */
  offsets: Uint32Array;
  /** Flat token slots (`b · tokens + j`) grouped by row, ascending within a row. */
  occurrences: Uint32Array;
}

/** Groups token slots by row; ids < 0 (padding, unknown) are skipped. */
export function groupOccurrences(tokenIds: Int32Array): OccurrenceGroups {
  const slots = [...tokenIds.keys()].filter((slot) => tokenIds[slot] >= 0);
  slots.sort((a, b) => tokenIds[a] - tokenIds[b] || a - b);
  const rows: number[] = [];
  const offsets: number[] = [];
  slots.forEach((slot, o) => {
    if (rows.length === 0 || rows[rows.length - 1] !== tokenIds[slot]) {
      rows.push(tokenIds[slot]);
      offsets.push(o);
    }
  });
  offsets.push(slots.length);
  return { rows: Uint32Array.from(rows), offsets: Uint32Array.from(offsets), occurrences: Uint32Array.from(slots) };
}

export function embeddingBackwardReference(groups: OccurrenceGroups, gradInput: Float32Array, dim: number, gradTable: Float32Array): void {
  groups.rows.forEach((row, u) => {
    for (let d = 0; d < dim; d++) {
      let acc = 0;
      for (let o = groups.offsets[u]; o < groups.offsets[u + 1]; o++) acc = Math.fround(acc + gradInput[groups.occurrences[o] * dim + d]);
      gradTable[row * dim + d] = acc;
    }
  });
}
