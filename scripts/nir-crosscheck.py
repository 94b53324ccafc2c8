#!/usr/bin/env python3
"""Cross-check Spikescope's NIR export against an independent NIR reader and simulator.

What it checks
  The shipped MR TextCNN (public/models/mr-textcnn: IF neurons, rate-coded input, T = 16) is
  exported with `spikescope nir export --length N` (N = max(tokens, 5), the model's minimum-length
  padding; one graph per distinct N, cached), read back with Python's `nir.read`, turned into a
  torch network by nirtorch's `nir_to_torch` with snnTorch `Leaky` neurons for the `nir.IF` nodes,
  and simulated on the CSV that `spikescope nir encode --length N` writes for each sentence
  (the same rate-coded spikes Spikescope draws: seed = the model's seed, stream 0). The
  simulation's output spike counts and argmax predictions are compared with
    (a) `spikescope classify --encoding rate --backend cpu --json` (Spikescope itself; note that
        this model's *default* encoding is `direct`, so `--encoding rate` is required), and
    (b) `spikescope nir run --reset subtract --dt 0.0001 --json` (our own NIR runner) on the first
        --nir-run sentences.

Sentences
  The first --limit (200) sentences of MR's test split, in the order `spikescope eval` uses them
  (src/cli/eval.ts `testSet` → src/data/load.ts `loadDataset('mr')` → src/data/split.ts
  `seededTestSplit`): all lines of rt-polarity.neg (label 0) then rt-polarity.pos (label 1),
  windows-1252, split on \\r\\n|\\n|\\r, trimmed, blank lines dropped; the test split is that list
  indexed by `metrics.testSplit.testIndices` recorded in the model's model.json (seed 1), in that
  order. Data are read by path from $SPIKESCOPE_DATA_DIR or ../shared/data (never copied).

Torch network (nirtorch.nir_to_torch with our node map; no hand-written graph executor)
  Conv1d → torch.nn.Conv1d (bias from the file), Linear → nn.Linear(bias=False),
  Affine → nn.Linear(bias=True), Flatten → nn.Flatten(start_dim=1) (NIR's start_dim 0 excludes
  torch's batch dimension), Input/Output → Identity. Several edges into one node are summed by
  nirtorch (in its own order). IF (r, v_threshold per element; r·dt must be 1 here, else the
  input is scaled by r·dt) → one of two snnTorch neurons (--neuron):
    leaky  snn.Leaky(beta=1, threshold=θ, reset_mechanism="subtract", reset_delay=False,
           init_hidden=True). snnTorch 0.9.4 subtracts θ in the same step, but computes the next
           step's reset from the *post-reset* potential: if v − θ is still > θ, the next step
           subtracts θ again before firing and, if it then does not fire, adds θ back
           (do_reset = spk − reset = −1). So it differs from "v += I; spike if v > θ; v −= θ"
           whenever a potential exceeds 2θ (then the neuron stops firing instead of firing on).
    exact  snn.Leaky(beta=1, threshold=θ, reset_mechanism="none", init_hidden=True) (integrate,
           fire when v > θ, strictly) followed by v −= spike·θ on the Leaky's own `mem`: exactly
           Spikescope's `--reset subtract` (forward Euler, dt·r = 1, no edge delay).
    both   (default) run both and report each.
  Prediction = argmax of the output spikes counted over the T steps (ties → class 0); the
  script also checks that classify's label follows that rule.

Run (from the project root, after `npm run -s build:cli`):
  /tmp/nirvenv/bin/python scripts/nir-crosscheck.py [--limit 200] [--nir-run 20]
      [--neuron both|leaky|exact] [--work /tmp/nir-crosscheck] [--model public/models/mr-textcnn]
      [--cli COPY/spikescope.js]   (a copy of dist/cli/spikescope.js with a node_modules link beside
      it, if dist/ is being rebuilt meanwhile; the run above used one)
  Add --show-graph to print the graph as nir.read returns it.
  Exits 1 if the `exact` simulation (or `leaky` if it is the only one) disagrees with Spikescope.

Packages used (Python 3.11.7): torch 2.13.0+cpu, numpy 2.4.6, h5py 3.16.0,
  nir 1.0.8.dev9+g7232ada, nirtorch 2.0.6.post4+g2604ce2, snntorch 0.9.4 (all from source).

Result it printed (2 busy CPU cores; the ≈ 0.25 s per Node CLI call dominates):
  /tmp/nirvenv/bin/python scripts/nir-crosscheck.py   (2026-12-06)
  200 MR test sentences (model.json testIndices order), 40 distinct lengths N ∈ [5, 54], T = 16, rate encoding, seed 1
  classify: 1 ties in Spikescope scores (#71 [2, 2] → negative); its label == argmax(scores, ties → class 0) for 200/200
  snnTorch[leaky]: predictions equal to classify 199/200; output spike counts equal 108/200; neuron-steps left above θ after reset: 482320
      #71 N=35: snnTorch [2, 3] vs classify [2, 2]   (and 91 more count differences, e.g. #0 [9, 0] vs [10, 0])
  snnTorch[exact]: predictions equal to classify 200/200; output spike counts equal 200/200; neuron-steps left above θ after reset: 203774
  nir run (first 20): output counts equal to classify 20/20; to snnTorch[leaky] 7/20; to snnTorch[exact] 20/20
  time: classify 0.7 s, export+encode 56.1 s, nir.read 0.6 s, total 70.4 s
  Same numbers with PYTHONHASHSEED=7 and 123 (nirtorch sums the edges into pool_spike in set order).
  Every exported graph passes nir.read's type check.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import nir
import nirtorch
import snntorch as snn
import torch

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / 'dist' / 'cli' / 'spikescope.js'
CLI_PATH = CLI  # --cli: e.g. a copy of dist/cli/spikescope.js (beside a node_modules link) while dist/ is being rebuilt
DT = 1e-4


# ---------------------------------------------------------------- data: MR test split as eval uses it

def mr_test_sentences(model_dir: Path, data_dir: Path, limit: int) -> list[tuple[str, int]]:
    config = json.loads((model_dir / 'model.json').read_text())
    split = config['metrics']['testSplit']
    assert config['metrics']['dataset'] == 'mr' and split['kind'] == 'seeded', split['kind']
    examples: list[tuple[str, int]] = []
    for name, label in (('rt-polarity.neg', 0), ('rt-polarity.pos', 1)):
        text = (data_dir / 'mr' / name).read_bytes().decode('cp1252')
        lines = re.split(r'\r\n|\n|\r', text)
        if lines and lines[-1] == '':
            lines.pop()
        examples += [(line.strip(), label) for line in lines if line.strip()]
    assert len(examples) == 10662, len(examples)
    return [examples[i] for i in split['testIndices']][:limit]


# ---------------------------------------------------------------- the CLI

def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(['node', str(CLI_PATH), *args], cwd=ROOT, input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f'spikescope {" ".join(args[:3])} failed ({result.returncode}): {result.stderr.strip()}')
    return result


def export_graph(model: str, n: int, work: Path) -> Path:
    path = work / f'graph-N{n}.nir'
    if not path.exists():
        cli('nir', 'export', '--model', model, '--out', str(path), '--length', str(n))
    return path


ENCODE_LINE = re.compile(r'wrote .*: (\d+) steps × (\d+) values \((\d+) tokens\)')


def encode(model: str, n: int, steps: int, seed: int, text: str, path: Path) -> tuple[np.ndarray, int]:
    result = cli('nir', 'encode', '--model', model, '--length', str(n), '--steps', str(steps), '--seed', str(seed), '--out', str(path), '--', text)
    match = ENCODE_LINE.search(result.stderr)
    assert match, result.stderr
    s, w, k = map(int, match.groups())
    x = np.loadtxt(path, delimiter=',', dtype=np.float32, ndmin=2)
    assert x.shape == (s, w) == (steps, 102 * n), (x.shape, s, w, n)
    return x.reshape(steps, 102, n), k


# ---------------------------------------------------------------- NIR → torch via nirtorch + snnTorch

class ExactIF(torch.nn.Module):
    """snnTorch Leaky without reset (v += x; spike if v > θ), then v −= spike·θ in the same step."""

    def __init__(self, threshold: torch.Tensor):
        super().__init__()
        self.leaky = snn.Leaky(beta=1.0, threshold=threshold, reset_mechanism='none', init_hidden=True, surrogate_disable=True)

    def forward(self, x):
        spk = self.leaky(x)
        self.leaky.mem = self.leaky.mem - spk * self.leaky.threshold
        return spk


class ScaledInput(torch.nn.Module):
    def __init__(self, scale: torch.Tensor, inner: torch.nn.Module):
        super().__init__()
        self.register_buffer('scale', scale)
        self.inner = inner

    def forward(self, x):
        return self.inner(x * self.scale)


def node_map(neuron: str):
    def map_if(node: nir.IF) -> torch.nn.Module:
        scale = np.asarray(node.r, dtype=np.float64) * DT
        threshold = torch.from_numpy(np.asarray(node.v_threshold, dtype=np.float32).copy())
        if neuron == 'leaky':
            module = snn.Leaky(beta=1.0, threshold=threshold, reset_mechanism='subtract', reset_delay=False, init_hidden=True, surrogate_disable=True)
        else:
            module = ExactIF(threshold)
        if np.all(scale == 1.0):
            return module
        return ScaledInput(torch.from_numpy(scale.astype(np.float32)), module)

    def map_conv1d(node: nir.Conv1d) -> torch.nn.Module:
        w = np.asarray(node.weight, dtype=np.float32)
        as_int = lambda v: int(np.asarray(v).reshape(-1)[0])
        padding = node.padding if isinstance(node.padding, str) else as_int(node.padding)
        conv = torch.nn.Conv1d(w.shape[1] * as_int(node.groups), w.shape[0], w.shape[2], stride=as_int(node.stride), padding=padding,
                               dilation=as_int(node.dilation), groups=as_int(node.groups), bias=True)
        conv.weight.data = torch.from_numpy(w.copy())
        bias = np.zeros(w.shape[0], np.float32) if node.bias is None else np.broadcast_to(np.asarray(node.bias, np.float32), (w.shape[0],))
        conv.bias.data = torch.from_numpy(bias.copy())
        return conv

    def map_linear(node: nir.Linear) -> torch.nn.Module:
        w = np.asarray(node.weight, dtype=np.float32)
        lin = torch.nn.Linear(w.shape[1], w.shape[0], bias=False)
        lin.weight.data = torch.from_numpy(w.copy())
        return lin

    def map_affine(node: nir.Affine) -> torch.nn.Module:
        w = np.asarray(node.weight, dtype=np.float32)
        lin = torch.nn.Linear(w.shape[1], w.shape[0], bias=True)
        lin.weight.data = torch.from_numpy(w.copy())
        lin.bias.data = torch.from_numpy(np.asarray(node.bias, np.float32).copy())
        return lin

    def map_flatten(node: nir.Flatten) -> torch.nn.Module:
        assert int(node.start_dim) == 0 and int(node.end_dim) == -1, (node.start_dim, node.end_dim)
        return torch.nn.Flatten(start_dim=1, end_dim=-1)

    return {nir.IF: map_if, nir.Conv1d: map_conv1d, nir.Linear: map_linear, nir.Affine: map_affine, nir.Flatten: map_flatten}


def neurons_of(net: torch.nn.Module):
    return [m for m in net.modules() if isinstance(m, snn.Leaky)]


@torch.no_grad()
def simulate(net: torch.nn.Module, x: np.ndarray) -> tuple[np.ndarray, int]:
    """x [T, B, 102, N] → output spike counts [B, classes]; also counts potentials left above θ after a step."""
    leakies = neurons_of(net)
    for m in leakies:
        m.mem = torch.zeros(0)  # re-initialised to zeros of the input's shape on the first step
    counts = None
    above = 0
    for t in range(x.shape[0]):
        out, _state = net(torch.from_numpy(x[t]))
        counts = out.clone() if counts is None else counts + out
        above += sum(int((m.mem > m.threshold).sum()) for m in leakies)
    return counts.numpy().astype(np.int64), above


# ---------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', default='public/models/mr-textcnn')
    ap.add_argument('--data-dir', default=os.environ.get('SPIKESCOPE_DATA_DIR') or str(ROOT.parent / 'shared' / 'data'))
    ap.add_argument('--limit', type=int, default=200)
    ap.add_argument('--nir-run', type=int, default=20, help='also run `spikescope nir run` on the first K sentences')
    ap.add_argument('--neuron', choices=['both', 'leaky', 'exact'], default='both')
    ap.add_argument('--work', default='/tmp/nir-crosscheck')
    ap.add_argument('--cli', default=str(CLI), help='the built CLI (default dist/cli/spikescope.js)')
    ap.add_argument('--show-graph', action='store_true', help='print the first graph as nir.read sees it')
    args = ap.parse_args()
    global CLI_PATH
    CLI_PATH = Path(args.cli).resolve()
    if not CLI_PATH.exists():
        sys.exit(f'{CLI_PATH} is missing: run `npm run -s build:cli` first')
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    model_dir = ROOT / args.model
    config = json.loads((model_dir / 'model.json').read_text())
    steps, seed = int(config['numSteps']), int(config['seed'])
    assert config['network']['encoder']['kind'] == 'rate'
    torch.set_num_threads(1)  # tiny tensors: more threads only spin (2 threads were 100× slower on a busy 2-core machine)
    t0 = time.perf_counter()

    sentences = mr_test_sentences(model_dir, Path(args.data_dir), args.limit)
    texts = [s for s, _ in sentences]
    assert all('\n' not in s and '\r' not in s for s in texts)

    # Spikescope itself: one classify call over all lines, the graph's (rate) encoding and seed.
    cls = json.loads(cli('classify', '--model', args.model, '--backend', 'cpu', '--encoding', 'rate', '--steps', str(steps),
                         '--seed', str(seed), '--json', stdin='\n'.join(texts) + '\n').stdout)
    results = cls['results']
    assert len(results) == len(texts) and all(r['text'] == s for r, s in zip(results, texts))
    classes = config['network']['readout']['classes']
    spk_labels = [classes.index(r['label']) for r in results]
    spk_scores = np.array([r['scores'] for r in results], dtype=np.float64)
    t_classify = time.perf_counter() - t0

    # Export once per N, encode each sentence at its N.
    lengths = [max(len(r['tokens']), 5) for r in results]
    inputs, graphs = [], {}
    for i, (text, r, n) in enumerate(zip(texts, results, lengths)):
        if n not in graphs:
            graphs[n] = export_graph(args.model, n, work)
        x, k = encode(args.model, n, steps, seed, text, work / f's{i:04d}-N{n}.csv')
        assert k == len(r['tokens']), (i, k, len(r['tokens']))
        body = x[:, :101, :]
        assert not body[:, :, k:].any(), f'sentence {i}: padding positions ≥ {k} not silent'  # (unknown words are silent too)
        assert (x[0, 101] == 1).all() and not x[1:, 101].any(), 'pulse channel'
        inputs.append(x)
    t_encode = time.perf_counter() - t0 - t_classify
    if args.show_graph:
        g = nir.read(str(graphs[lengths[0]]))
        for name, node in g.nodes.items():
            print(f'  {name}: {type(node).__name__} {node.input_type} → {node.output_type}')
        print('  edges:', g.edges)

    # Simulate with nirtorch + snnTorch, batched by N.
    variants = ['leaky', 'exact'] if args.neuron == 'both' else [args.neuron]
    counts = {v: np.zeros((len(texts), len(classes)), np.int64) for v in variants}
    above = {v: 0 for v in variants}
    t_sim = {v: 0.0 for v in variants}
    t1 = time.perf_counter()
    for n, path in sorted(graphs.items()):
        graph = nir.read(str(path))  # with its type check: a failure is an export bug and stops the run
        for name, node in graph.nodes.items():
            if isinstance(node, nir.IF):
                assert np.all(np.asarray(node.r, np.float64) * DT == 1.0), name
        idx = [i for i, m in enumerate(lengths) if m == n]
        x = np.stack([inputs[i] for i in idx], axis=1)
        for v in variants:
            t2 = time.perf_counter()
            net = nirtorch.nir_to_torch(graph, node_map(v))
            counts[v][idx], a = simulate(net, x)
            above[v] += a
            t_sim[v] += time.perf_counter() - t2
    t_read = time.perf_counter() - t1 - sum(t_sim.values())

    def predict(c: np.ndarray) -> np.ndarray:
        return np.argmax(c, axis=1)  # first maximum: ties → class 0

    ties = int((spk_scores[:, 0] == spk_scores[:, 1]).sum())
    rule_ok = int((predict(spk_scores) == np.array(spk_labels)).sum())
    print(f'{len(texts)} MR test sentences (model.json testIndices order), {len(graphs)} distinct lengths N ∈ [{min(lengths)}, {max(lengths)}], T = {steps}, rate encoding, seed {seed}')
    tie_list = ', '.join(f'#{i} {spk_scores[i].astype(int).tolist()} → {classes[spk_labels[i]]}' for i in np.flatnonzero(spk_scores[:, 0] == spk_scores[:, 1]))
    print(f'classify: {ties} ties in Spikescope scores ({tie_list}); its label == argmax(scores, ties → class 0) for {rule_ok}/{len(texts)}')
    ok = True
    for v in variants:
        same_pred = int((predict(counts[v]) == np.array(spk_labels)).sum())
        same_counts = int((counts[v] == spk_scores).all(axis=1).sum())
        print(f'snnTorch[{v}]: predictions equal to classify {same_pred}/{len(texts)}; output spike counts equal {same_counts}/{len(texts)}; '
              f'neuron-steps left above θ after reset: {above[v]}; {t_sim[v]:.1f} s')
        bad = [i for i in range(len(texts)) if not (counts[v][i] == spk_scores[i]).all()]
        flips = [i for i in bad if predict(counts[v][i:i + 1])[0] != spk_labels[i]]
        bad = flips + [i for i in bad if i not in flips]  # prediction flips first
        for i in bad[:8]:
            print(f'    #{i} N={lengths[i]}: snnTorch {counts[v][i].tolist()} vs classify {spk_scores[i].astype(int).tolist()}')
        if v == variants[-1]:
            ok = same_pred == len(texts) and same_counts == len(texts)

    # Our own NIR runner on the same files.
    k = min(args.nir_run, len(texts))
    t2 = time.perf_counter()
    agree = {v: 0 for v in variants}
    agree_cls = 0
    for i in range(k):
        out = json.loads(cli('nir', 'run', '--graph', str(graphs[lengths[i]]), '--input', str(work / f's{i:04d}-N{lengths[i]}.csv'),
                             '--reset', 'subtract', '--dt', str(DT), '--backend', 'cpu', '--json').stdout)
        ours = np.array(out['outputs']['output'], dtype=np.float64).sum(axis=0)
        agree_cls += int((ours == spk_scores[i]).all())
        for v in variants:
            agree[v] += int((ours == counts[v][i]).all())
    t_run = time.perf_counter() - t2
    print(f'nir run (first {k}): output counts equal to classify {agree_cls}/{k}; ' + '; '.join(f'to snnTorch[{v}] {agree[v]}/{k}' for v in variants) + f'; {t_run:.1f} s')
    print(f'time: classify {t_classify:.1f} s, export+encode {t_encode:.1f} s, nir.read {t_read:.1f} s, total {time.perf_counter() - t0:.1f} s')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
