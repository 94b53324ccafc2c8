/**
 * Training in the page: a worker of its own, so the engine worker keeps classifying and the page
 * stays responsive while a model trains. It reads a person's labelled files, trains the same way as
 * `spikescope train --file` (`src/train/user-train.ts`) on WebGPU or the WebAssembly CPU backend,
 * writes a checkpoint to IndexedDB after every epoch, and keeps the finished model there for the
 * engine (`local:<id>`) and for download as a zip.
 */
import * as Comlink from 'comlink';
import { DataError } from '../data/dataset';
import { createCpuBackend, GpuBackend, type Backend } from '../engine/backends';
import { resolveBackend } from '../engine/choose-backend';
import { CancelledError } from '../engine/errors';
import { writeZip } from '../model/zip';
import { type ChosenColumns } from '../data/labelled-text';
import { vocabularyFromModel, type PreparedVocabulary } from '../train/prepare';
import type { TextCnnCheckpoint } from '../train/run';
import { openTrainOpsWith } from '../train/train-ops';
import { tableCentre } from '../train/textcnn-model';
import { classCountsOf, decodeTrainingFile, MAX_TRAINING_FILE_BYTES, readTrainingFiles, trainingFileTooLarge, type LabelledSet } from '../train/user-data';
import { finishUserModel, suggestedTable, trainUserModel, unknownWords, userTrainingData, type UserTable, type UserTrainingData, type UserTrainSettings } from '../train/user-train';
import { fetchModel } from './model-loader';
import * as store from './model-store';
import type { InterruptedRun, TablePreview, TrainApi, TrainEvent, TrainingPreview, TrainOutcome } from './train-api';

const gpu = async () => (self.navigator as Navigator).gpu;

/** A pause that lets the worker read its messages (a pause, a cancel) between two batches. */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/** The frozen table is the same for every epoch: a checkpoint keeps it out (it is 26 MB of GloVe). */
function withoutFrozenTable(checkpoint: TextCnnCheckpoint, learned: boolean): TextCnnCheckpoint {
  if (learned) return checkpoint;
  const best = checkpoint.finished.best;
  return { ...checkpoint, finished: { ...checkpoint.finished, best: { ...best, parameters: { ...best.parameters, table: new Float32Array(0) } } } };
}

function withFrozenTable(checkpoint: TextCnnCheckpoint, prepared: PreparedVocabulary, centre: number): TextCnnCheckpoint {
  const best = checkpoint.finished.best;
  if (best.parameters.table.length > 0) return checkpoint;
  const table = Float32Array.from(prepared.probabilities, (p) => p - centre);
  return { ...checkpoint, finished: { ...checkpoint.finished, best: { ...best, parameters: { ...best.parameters, table } } } };
}

class TrainWorker implements TrainApi {
  private set: LabelledSet | null = null;
  private files: string[] = [];
  private glove: { url: string; prepared: Promise<PreparedVocabulary> } | null = null;
  /** The split and encoded texts of the last preview, reused by a run with the same table, split and seed. */
  private data: { key: string; set: LabelledSet; data: Promise<UserTrainingData> } | null = null;
  private running: AbortController | null = null;
  private runId: string | null = null;
  private paused: { promise: Promise<void>; resolve: () => void } | null = null;

  async readFiles(files: { blob: Blob; name: string }[], columns?: ChosenColumns): Promise<TrainingPreview> {
    const decoded = [];
    for (const { blob, name } of files) {
      // The size first: a file over the limit is not read at all.
      if (blob.size > MAX_TRAINING_FILE_BYTES) throw new DataError(trainingFileTooLarge(name, blob.size));
      decoded.push(decodeTrainingFile(new Uint8Array(await blob.arrayBuffer()), name));
    }
    const set = readTrainingFiles(decoded, columns);
    this.set = set;
    this.files = files.map((file) => file.name);
    const counts = classCountsOf(set);
    const examples = set.classes.flatMap((label, k) =>
      set.examples
        .filter((example) => example.label === k)
        .slice(0, 3)
        .map((example) => ({ text: example.text.slice(0, 160), label })),
    );
    return {
      files: this.files,
      layout: set.layout,
      classes: set.classes,
      counts,
      total: set.examples.length,
      examples,
      ...(set.header ? { header: { fields: set.header.fields, chosen: set.header.chosen } } : {}),
      suggestedTable: suggestedTable(set.examples),
    };
  }

  /** The GloVe words of the default model, loaded once per URL. */
  private gloveFrom(url: string): Promise<PreparedVocabulary> {
    if (!this.glove || this.glove.url !== url) {
      const prepared = fetchModel(url).then((model) => vocabularyFromModel(model, { clipSigmas: 3 }));
      prepared.catch(() => (this.glove = null));
      this.glove = { url, prepared };
    }
    return this.glove.prepared;
  }

  /** `userTrainingData`, computed once for a set, table, split and seed (the preview's is the run's). */
  private trainingData(set: LabelledSet, settings: Pick<UserTrainSettings, 'table' | 'devFraction' | 'seed'>, embeddingFrom: string): Promise<UserTrainingData> {
    const key = JSON.stringify([settings.table, settings.devFraction, settings.seed, settings.table === 'glove' ? embeddingFrom : '']);
    if (this.data?.set !== set || this.data.key !== key) {
      const data = userTrainingData(set, settings, () => this.gloveFrom(embeddingFrom));
      data.catch(() => (this.data = null));
      this.data = { key, set, data };
    }
    return this.data.data;
  }

  private requireSet(): LabelledSet {
    if (!this.set) throw new DataError('no training file is read yet: choose one first');
    return this.set;
  }

  async previewTable(table: UserTable, devFraction: number, seed: number, embeddingFrom: string): Promise<TablePreview> {
    const set = this.requireSet();
    const data = await this.trainingData(set, { table, devFraction, seed }, embeddingFrom);
    return { table, unknown: unknownWords(data.train, data.prepared), train: data.train.length, dev: data.dev.length, vocabulary: data.prepared.vocabulary.size };
  }

  async train(settings: UserTrainSettings, embeddingFrom: string, onEvent: (event: TrainEvent) => void): Promise<TrainOutcome> {
    const set = this.requireSet();
    const run: store.StoredRun = { id: store.newId(), name: settings.name, startedAt: new Date().toISOString(), set, settings, embeddingFrom: settings.table === 'glove' ? embeddingFrom : null, checkpoint: null };
    await store.saveRun(run).catch(() => undefined);
    return this.execute(run, onEvent);
  }

  async resumeRun(id: string, onEvent: (event: TrainEvent) => void): Promise<TrainOutcome> {
    const run = await store.loadRun(id);
    if (!run) throw new DataError('that training run is no longer kept in this browser');
    this.set = run.set;
    return this.execute(run, onEvent);
  }

  private async execute(run: store.StoredRun, onEvent: (event: TrainEvent) => void): Promise<TrainOutcome> {
    if (this.running) throw new DataError('a model is already training: wait for it, or cancel it');
    const controller = new AbortController();
    this.running = controller;
    this.runId = run.id;
    this.paused = null;
    const { settings, set } = run;
    try {
      onEvent({ kind: 'phase', text: settings.table === 'glove' ? 'Loading the GloVe words of the default model…' : 'Building the character table…' });
      const data = await this.trainingData(set, settings, run.embeddingFrom ?? '');
      const backend = await openTrainOpsWith('auto', gpu);
      const resume = run.checkpoint ? withFrozenTable(run.checkpoint, data.prepared, tableCentre(data.prepared)) : undefined;
      onEvent({ kind: 'started', runId: run.id, backend: backend.detail, batches: Math.ceil(data.train.length / 50), train: data.train.length, dev: data.dev.length, resumedAfter: resume?.finished.epochs ?? 0 });
      let trained;
      try {
        trained = await trainUserModel(backend.ops, data, settings, {
          where: `${backend.detail} (in the browser)`,
          command: `spikescope train --file ${this.files.join(' --file ') || '<file>'} --method ${settings.method} --table ${settings.table} --epochs ${settings.epochs} --levels ${settings.levels} --steps ${settings.numSteps} --lr ${settings.learningRate} --dev-fraction ${settings.devFraction} --seed ${settings.seed} --out <folder>`,
          source: this.files.join(' + ') || run.name,
          hooks: {
            resume,
            beforeBatch: async () => {
              await yieldToMessages();
              while (this.paused) await this.paused.promise;
              if (controller.signal.aborted) throw new CancelledError('Training was cancelled.');
            },
            onBatch: (progress) => onEvent({ kind: 'batch', progress }),
            onEpoch: async (checkpoint) => {
              onEvent({ kind: 'epoch', history: checkpoint.finished.history, bestEpoch: checkpoint.finished.best.epoch });
              run.checkpoint = withoutFrozenTable(checkpoint, data.prepared.learned);
              await store.saveRun(run).catch(() => undefined);
            },
          },
        });
      } finally {
        backend.close();
      }
      onEvent({ kind: 'phase', text: 'Converting to a spiking network and running it on the dev texts…' });
      const inference = await this.inferenceBackend();
      let finished;
      try {
        finished = await finishUserModel(trained.model, data, inference, `local model "${settings.name}"`);
      } finally {
        inference.dispose();
      }
      const id = run.id;
      const snnRun = finished.evaluation.snn[0];
      const info: store.StoredModelInfo = {
        id,
        name: settings.name,
        language: finished.model.config.language,
        createdAt: new Date().toISOString(),
        devAccuracy: snnRun.accuracy,
        annDevAccuracy: finished.evaluation.ann.accuracy,
        bytes: finished.weightBytes.length + finished.configText.length,
      };
      await store.saveModel({ id, configText: finished.configText, weightBytes: finished.weightBytes, card: finished.card }, info);
      await store.deleteRun(run.id).catch(() => undefined);
      const history = trained.result.history;
      return {
        info,
        path: `${store.LOCAL_MODEL_PREFIX}${id}`,
        card: finished.card,
        history,
        bestEpoch: trained.result.bestEpoch,
        numSteps: settings.numSteps,
        secondsPerEpoch: history.reduce((sum, record) => sum + record.seconds, 0) / Math.max(1, history.length),
        backend: finished.evaluation.backend,
      };
    } catch (error) {
      if (error instanceof CancelledError) await store.deleteRun(run.id).catch(() => undefined);
      throw error;
    } finally {
      this.running = null;
      this.runId = null;
      void this.unpause();
    }
  }

  private async inferenceBackend(): Promise<Backend> {
    const resolved = await resolveBackend('auto', gpu, true);
    return resolved.kind === 'gpu' ? new GpuBackend(resolved.ctx) : createCpuBackend(resolved.kind, resolved.why);
  }

  async pause(): Promise<void> {
    if (!this.running || this.paused) return;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.paused = { promise, resolve };
  }

  async unpause(): Promise<void> {
    const paused = this.paused;
    this.paused = null;
    paused?.resolve();
  }

  async cancel(): Promise<void> {
    this.running?.abort();
    await this.unpause();
  }

  async interruptedRuns(): Promise<InterruptedRun[]> {
    const runs = (await store.listRuns().catch(() => [])).filter((run) => run.id !== this.runId);
    // A run stopped before its first epoch ended has nothing to resume from.
    for (const run of runs) if (!run.checkpoint) await store.deleteRun(run.id).catch(() => undefined);
    return runs
      .filter((run) => run.checkpoint)
      .map((run) => ({ id: run.id, name: run.name, startedAt: run.startedAt, epochsDone: run.checkpoint!.finished.epochs, epochs: run.settings.epochs, history: run.checkpoint!.finished.history }));
  }

  async discardRun(id: string): Promise<void> {
    await store.deleteRun(id);
  }

  async modelZip(id: string): Promise<{ bytes: Uint8Array; fileName: string }> {
    const model = await store.loadStoredModel(id);
    if (!model) throw new DataError('that model is no longer kept in this browser');
    const config = JSON.parse(model.configText) as { name?: string };
    const folder = (config.name ?? 'model').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'model';
    const encoder = new TextEncoder();
    const bytes = writeZip([
      { name: `${folder}/model.json`, data: encoder.encode(model.configText) },
      { name: `${folder}/weights.safetensors`, data: model.weightBytes },
      { name: `${folder}/README.md`, data: encoder.encode(model.card) },
    ]);
    return Comlink.transfer({ bytes, fileName: `${folder}.zip` }, [bytes.buffer as ArrayBuffer]);
  }

  listModels(): Promise<store.StoredModelInfo[]> {
    return store.listModels();
  }

  deleteModel(id: string): Promise<void> {
    return store.deleteModel(id);
  }
}

Comlink.expose(new TrainWorker());
