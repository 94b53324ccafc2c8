#!/usr/bin/env python3
"""Regenerate the NIR reference fixtures in ``fixtures/nir/``.

What it makes (one set per case, see ``fixtures/nir/README.md``):
  <case>.nir          NIR graph written by the tool's own exporter
                      (snnTorch ``export_to_nir`` / Norse ``norse.torch.to_nir``),
                      saved with ``nir.write`` (HDF5, gzip for numpy-array values).
  <case>.input.csv    seeded input, no header, one row per time step, one column
                      per element of the graph input flattened row-major
                      (batch dimension omitted; batch size is 1).
  <case>.trace.json   what the tool's own torch modules computed when run step by
                      step (batch 1, float32): membrane potential, spikes (and
                      synaptic current for CubaLIF) of every neuron node, plus the
                      graph output, floats rounded to 7 significant digits.
  README.md           case descriptions plus the node/edge/dataset listing of each
                      .nir file, read back with h5py.

Cases:
  snntorch-affine-lif         Linear(4,3) + snn.Leaky                       (snnTorch)
  norse-affine-lif            Linear(4,3) + LIFBoxCell                      (Norse)
  snntorch-conv2d-lif         Conv2d + Flatten + Leaky + Linear + Leaky     (snnTorch)
  norse-conv2d-if             Conv2d + IAFCell + Conv2d + LIBoxCell         (Norse)
  snntorch-recurrent-cubalif  Linear(4,3) + snn.RSynaptic (all_to_all)      (snnTorch)
  nir-misc                    hand-built with the nir API, numpy reference  (nir)

Run with (the versions these fixtures were produced with):
  Python 3.11.7, torch 2.13.0+cpu, numpy 2.4.6, h5py 3.16.0,
  nir 1.0.8.dev9+g7232ada      (github neuromorphs/NIR      @ 7232ada6d30e, v1.0.7+9)
  nirtorch 2.0.6.post4+g2604ce2 (github neuromorphs/NIRTorch @ 2604ce2bc9ab, v2.06+4)
  snntorch 0.9.4               (github jeshraghian/snntorch @ 634fc22385ec, v0.9.4+61)
  norse 1.1.1.dev31+g065a3b45  (github norse/norse          @ 065a3b45cf13, v1.1.0+31;
                                pure Python, the optional C++ extension was not built)

Install (in a throw-away virtualenv; snntorch/norse/nir/nirtorch from source
checkouts at the commits above, no dependency resolution for them):
  python3.11 -m venv /tmp/nirvenv && . /tmp/nirvenv/bin/activate
  pip install torch numpy h5py   # a CPU wheel is enough (2.13.0+cpu was used; the
                                 # default 2.14.1 wheel pulls in the CUDA packages)
  SETUPTOOLS_SCM_PRETEND_VERSION_FOR_NIR=1.0.8.dev9+g7232ada pip install --no-deps ./NIR
  SETUPTOOLS_SCM_PRETEND_VERSION_FOR_NIRTORCH=2.0.6.post4+g2604ce2 pip install --no-deps ./NIRTorch
  SETUPTOOLS_SCM_PRETEND_VERSION_FOR_NORSE=1.1.1.dev31+g065a3b45 pip install --no-deps ./norse
  pip install --no-deps ./snntorch
  (norse declares torchvision as a dependency; it is not needed for this script.)
  python scripts/nir-fixtures.py [OUTPUT_DIR]      # default: fixtures/nir

Deterministic: fixed torch/numpy seeds, and the script re-executes itself with
PYTHONHASHSEED=0 because nirtorch's legacy extractor (used by snnTorch) builds
the edge list from a Python ``set``, whose order depends on string hashing.
"""

import os
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import json
import pathlib
import warnings

import h5py
import numpy as np
import torch

import nir
import nirtorch
import norse
import norse.torch as nt
import snntorch
import snntorch as snn
from snntorch.export_nir import export_to_nir

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)

REPO = pathlib.Path(__file__).resolve().parent.parent
OUT = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "fixtures" / "nir"

VERSIONS = {
    "torch": torch.__version__,
    "numpy": np.__version__,
    "h5py": h5py.__version__,
    "nir": nir.__version__,
    "nirtorch": nirtorch.__version__,
    "snntorch": snntorch.__version__,
    "norse": norse.__version__,
}


# --------------------------------------------------------------------------- helpers
def r7(x):
    """Round an array to 7 significant digits, as nested Python lists."""
    a = np.asarray(x, dtype=np.float64)
    return [[float(f"{v:.7g}") for v in row] for row in a.reshape(a.shape[0], -1)]


def spikes(x):
    a = np.asarray(x)
    return [[int(round(v)) for v in row] for row in a.reshape(a.shape[0], -1)]


def flat(t):
    """Tensor with leading batch dim of 1 -> flat numpy float32 (row-major)."""
    return t.detach().reshape(-1).numpy().astype(np.float32).copy()


def write_input(name, x):
    """x: (steps, *input_shape) numpy array; written flattened row-major."""
    rows = np.asarray(x).reshape(x.shape[0], -1)
    with open(OUT / f"{name}.input.csv", "w") as f:
        for row in rows:
            f.write(",".join(f"{v:.7g}" for v in row) + "\n")


def write_trace(name, tool, dt, reset, v_recorded, nodes, output, steps):
    doc = {
        "tool": tool,
        "toolVersion": VERSIONS.get(tool, nir.__version__),
        "nirVersion": nir.__version__,
        "dt": dt,
        "steps": steps,
        "reset": reset,
        "vRecorded": v_recorded,
        "nodes": nodes,
        "output": output,
    }
    with open(OUT / f"{name}.trace.json", "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


def neuron_entry(ntype, v, s, syn=None):
    e = {"type": ntype, "v": r7(v), "spikes": spikes(s)}
    if syn is not None:
        e["synapticCurrent"] = r7(syn)
    return e


def spike_train(rng, steps, shape, p):
    return (rng.random((steps, *shape)) < p).astype(np.float32)


# --------------------------------------------------------------------------- case a
def case_snntorch_affine_lif():
    name, steps = "snntorch-affine-lif", 50
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    lin = torch.nn.Linear(4, 3)
    with torch.no_grad():  # seeded weights chosen to give a moderate spike rate
        torch.nn.init.uniform_(lin.weight, -0.3, 0.7)
        torch.nn.init.uniform_(lin.bias, -0.1, 0.1)
    # Per-neuron beta/threshold tensors: with scalar beta, snnTorch exports 0-d
    # tau/r arrays and nir's type inference in export_to_nir fails.
    lif = snn.Leaky(beta=0.9 * torch.ones(3), threshold=torch.ones(3), init_hidden=True)
    net = torch.nn.Sequential(lin, lif)

    x = spike_train(rng, steps, (4,), 0.4)
    v, s = [], []
    lif.reset_mem()
    with torch.no_grad():
        for t in range(steps):
            spk = net(torch.from_numpy(x[t]).unsqueeze(0))
            v.append(flat(lif.mem))  # pre-reset (reset of step t is applied at t+1)
            s.append(flat(spk))

    graph = export_to_nir(net, torch.zeros(1, 4), ignore_dims=[0])
    nir.write(OUT / f"{name}.nir", graph)
    write_input(name, x)
    write_trace(name, "snntorch", 1e-4, "subtract", "before-reset",
                {"1": neuron_entry("LIF", v, s)}, spikes(s), steps)


# --------------------------------------------------------------------------- case b
def case_norse_affine_lif():
    name, steps = "norse-affine-lif", 50
    torch.manual_seed(2)
    rng = np.random.default_rng(2)
    lin = torch.nn.Linear(4, 3)
    with torch.no_grad():
        torch.nn.init.uniform_(lin.weight, -1.0, 2.0)
        torch.nn.init.uniform_(lin.bias, 0.3, 0.8)
    p = nt.LIFBoxParameters(
        tau_mem_inv=torch.full((3,), 100.0),  # tau = 10 ms
        v_leak=torch.zeros(3),
        v_th=torch.ones(3),
        v_reset=torch.zeros(3),
    )
    cell = nt.LIFBoxCell(p)  # dt = 0.001 (Norse default)
    net = nt.SequentialState(lin, cell)

    x = spike_train(rng, steps, (4,), 0.5)
    v, s = [], []
    state = None
    with torch.no_grad():
        for t in range(steps):
            z, state = cell(lin(torch.from_numpy(x[t]).unsqueeze(0)), state)
            v.append(flat(state.v.expand_as(z)))  # post-reset
            s.append(flat(z))

    graph = nt.to_nir(net)
    nir.write(OUT / f"{name}.nir", graph)
    write_input(name, x)
    write_trace(name, "norse", cell.dt, "zero", "after-reset",
                {"_1": neuron_entry("LIF", v, s)}, spikes(s), steps)


# --------------------------------------------------------------------------- case c1
def case_snntorch_conv2d_lif():
    # snnTorch's exporter has no Conv1d and no IF; a Conv2d with kernel 3 and
    # padding 1 on a (2, 1, 8) input acts as a 1-D convolution along the last axis
    # (only the middle kernel row sees data).  Non-square kernels are avoided: nir's
    # Conv2d shape inference uses weight.shape[2] for both spatial axes.
    name, steps = "snntorch-conv2d-lif", 40
    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    conv = torch.nn.Conv2d(2, 3, kernel_size=3, padding=1)
    lin = torch.nn.Linear(24, 2)
    with torch.no_grad():
        torch.nn.init.uniform_(conv.weight, -0.3, 0.6)
        torch.nn.init.uniform_(lin.weight, -0.2, 0.6)
    lif1 = snn.Leaky(beta=0.9 * torch.ones(24), threshold=torch.ones(24), init_hidden=True)
    lif2 = snn.Leaky(beta=0.8 * torch.ones(2), threshold=torch.ones(2), init_hidden=True)
    net = torch.nn.Sequential(conv, torch.nn.Flatten(), lif1, lin, lif2)

    x = spike_train(rng, steps, (2, 1, 8), 0.3)
    v1, s1, v2, s2 = [], [], [], []
    lif1.reset_mem()
    lif2.reset_mem()
    with torch.no_grad():
        for t in range(steps):
            h = torch.flatten(conv(torch.from_numpy(x[t]).unsqueeze(0)), 1)
            z1 = lif1(h)
            z2 = lif2(lin(z1))
            v1.append(flat(lif1.mem)); s1.append(flat(z1))
            v2.append(flat(lif2.mem)); s2.append(flat(z2))

    graph = export_to_nir(net, torch.zeros(1, 2, 1, 8), ignore_dims=[0])
    nir.write(OUT / f"{name}.nir", graph)
    write_input(name, x)
    write_trace(name, "snntorch", 1e-4, "subtract", "before-reset",
                {"2": neuron_entry("LIF", v1, s1), "4": neuron_entry("LIF", v2, s2)},
                spikes(s2), steps)


# --------------------------------------------------------------------------- case c2
def case_norse_conv2d_if():
    # Norse maps Conv2d, IAFCell (-> IF) and LIBoxCell (-> LI) but has no Conv1d or
    # Flatten mapping.  Same 1-D-as-2-D convolution trick as above.
    name, steps = "norse-conv2d-if", 40
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    conv1 = torch.nn.Conv2d(2, 3, kernel_size=3, padding=1)
    conv2 = torch.nn.Conv2d(3, 1, kernel_size=3, padding=1)
    with torch.no_grad():
        torch.nn.init.uniform_(conv1.weight, -0.3, 0.6)
        torch.nn.init.uniform_(conv2.weight, -0.5, 1.0)
    iaf = nt.IAFCell(nt.IAFParameters(v_th=torch.ones(3, 1, 8), v_reset=torch.zeros(3, 1, 8)))
    li = nt.LIBoxCell(nt.LIBoxParameters(tau_mem_inv=torch.full((1, 1, 8), 200.0),
                                         v_leak=torch.zeros(1, 1, 8)))
    net = nt.SequentialState(conv1, iaf, conv2, li)

    x = spike_train(rng, steps, (2, 1, 8), 0.4)
    v1, s1, v2 = [], [], []
    s_iaf = s_li = None
    with torch.no_grad():
        for t in range(steps):
            h = conv1(torch.from_numpy(x[t]).unsqueeze(0))
            z, s_iaf = iaf(h, s_iaf)
            y, s_li = li(conv2(z), s_li)
            v1.append(flat(s_iaf.v.expand_as(z))); s1.append(flat(z))
            v2.append(flat(y))

    graph = nt.to_nir(net, type_check=False)
    # Norse writes Conv2d(input_shape=None), so the Input node has no shape and
    # nir.write fails.  Only fix-up applied to a tool-written graph in this script:
    # give the Input node its shape and let nir infer the remaining types.
    graph.nodes["input_tensor"] = nir.Input(input_type=np.array([2, 1, 8]))
    graph.infer_types()
    nir.write(OUT / f"{name}.nir", graph)
    write_input(name, x)
    write_trace(name, "norse", iaf.dt, "zero", "after-reset",
                {"_1": neuron_entry("IF", v1, s1),
                 "_3": {"type": "LI", "v": r7(v2)}},
                r7(v2), steps)


# --------------------------------------------------------------------------- case d
def case_snntorch_recurrent_cubalif():
    name, steps = "snntorch-recurrent-cubalif", 50
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    lin = torch.nn.Linear(4, 3)
    rsyn = snn.RSynaptic(alpha=0.8 * torch.ones(3), beta=0.9 * torch.ones(3),
                         threshold=torch.ones(3), all_to_all=True, linear_features=3,
                         init_hidden=True)
    with torch.no_grad():
        torch.nn.init.uniform_(lin.weight, -0.1, 0.15)
        torch.nn.init.zeros_(lin.bias)
        torch.nn.init.uniform_(rsyn.recurrent.weight, -0.3, 0.3)
        torch.nn.init.uniform_(rsyn.recurrent.bias, -0.02, 0.02)
    net = torch.nn.Sequential(lin, rsyn)

    x = spike_train(rng, steps, (4,), 0.3)
    v, s, syn = [], [], []
    rsyn.reset_mem()
    with torch.no_grad():
        for t in range(steps):
            z = net(torch.from_numpy(x[t]).unsqueeze(0))
            v.append(flat(rsyn.mem)); s.append(flat(z)); syn.append(flat(rsyn.syn))

    graph = export_to_nir(net, torch.zeros(1, 4), ignore_dims=[0])
    nir.write(OUT / f"{name}.nir", graph)
    write_input(name, x)
    write_trace(name, "snntorch", 1e-4, "subtract", "before-reset",
                {"1.lif": neuron_entry("CubaLIF", v, s, syn)}, spikes(s), steps)


# --------------------------------------------------------------------------- case e
# Hand-built graph with the remaining node types, simulated by a numpy
# forward-Euler reference (equations in README.md).  dt = 1e-3.
MISC_DT = 1e-3


def case_nir_misc():
    name, steps = "nir-misc", 30
    rng = np.random.default_rng(6)
    f32 = np.float32

    def u(*shape, lo=-1.0, hi=1.0):
        return rng.uniform(lo, hi, shape).astype(f32)

    # input (2,4,4) -> sumpool(k2,s2) -> (2,2,2) -> flatten -> f (8)
    #   f -> scale -> li ---------------------------+-> affine(8->3) ---+
    #   f -> delay (2 steps) -> integrator -> threshold -+                  +-> if -> output
    # input -> avgpool(k2,s2) -> (2,2,2) -> flatten_hw(start 1) -> (2,4)   |
    #   -> conv1d(2->1, k3, p1) -> (1,4) -> flatten_c1 -> g (4)             |
    #   g -> linear(4->3) -> cubali ----------------------------------------+
    scale = u(8, lo=0.2, hi=0.6)
    W_c1 = u(1, 2, 3, lo=-0.5, hi=1.5)
    b_c1 = u(1, lo=0.0, hi=0.1)
    W_aff = u(3, 8, lo=-0.5, hi=1.0)
    b_aff = u(3, lo=0.0, hi=0.5)
    W_lin = u(3, 4, lo=-0.5, hi=1.0)

    nodes = {
        "input": nir.Input(input_type=np.array([2, 4, 4])),
        "sumpool": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                                 padding=np.array([0, 0])),
        "flatten": nir.Flatten(input_type={"input": np.array([2, 2, 2])}, start_dim=0,
                               end_dim=-1),
        "scale": nir.Scale(scale=scale),
        "li": nir.LI(tau=np.full(8, 0.005, f32), r=np.full(8, 1.0, f32),
                     v_leak=np.zeros(8, f32)),
        "delay": nir.Delay(delay=np.full(8, 2 * MISC_DT, f32)),
        "integrator": nir.I(r=np.full(8, 47.0, f32)),  # 47, not 50: no sum of steps lands exactly on the threshold
        "threshold": nir.Threshold(threshold=np.full(8, 1.0, f32)),
        "affine": nir.Affine(weight=W_aff, bias=b_aff),
        "avgpool": nir.AvgPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]),
                                 padding=np.array([0, 0])),
        "flatten_hw": nir.Flatten(input_type={"input": np.array([2, 2, 2])}, start_dim=1,
                                  end_dim=-1),
        "conv1d": nir.Conv1d(input_shape=4, weight=W_c1, stride=1, padding=1, dilation=1,
                             groups=1, bias=b_c1),
        "flatten_c1": nir.Flatten(input_type={"input": np.array([1, 4])}, start_dim=0,
                                  end_dim=-1),
        "linear": nir.Linear(weight=W_lin),
        "cubali": nir.CubaLI(tau_syn=np.full(3, 0.004, f32), tau_mem=np.full(3, 0.01, f32),
                             r=np.full(3, 2.0, f32), v_leak=np.zeros(3, f32),
                             w_in=np.full(3, 1.0, f32)),
        "if": nir.IF(r=np.full(3, 50.0, f32), v_threshold=np.full(3, 1.0, f32),
                     v_reset=np.zeros(3, f32)),
        "output": nir.Output(output_type=np.array([3])),
    }
    edges = [
        ("input", "sumpool"), ("sumpool", "flatten"),
        ("flatten", "scale"), ("scale", "li"), ("li", "affine"),
        ("flatten", "delay"), ("delay", "integrator"), ("integrator", "threshold"),
        ("threshold", "affine"),
        ("input", "avgpool"), ("avgpool", "flatten_hw"), ("flatten_hw", "conv1d"),
        ("conv1d", "flatten_c1"), ("flatten_c1", "linear"), ("linear", "cubali"),
        ("affine", "if"), ("cubali", "if"), ("if", "output"),
    ]
    graph = nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)
    graph.infer_types()

    # ---- numpy reference (float64 internally, forward Euler, dt = MISC_DT) ----
    x = spike_train(rng, steps, (2, 4, 4), 0.35)
    dt = MISC_DT

    def conv1d(a, W, b, pad):
        ap = np.pad(a, ((0, 0), (pad, pad)))
        k = W.shape[2]
        L = a.shape[1] + 2 * pad - k + 1
        return np.array([[np.sum(W[o] * ap[:, j:j + k]) + b[o] for j in range(L)]
                         for o in range(W.shape[0])])

    def pool(a, k, op):
        C, H, Wd = a.shape
        r = a.reshape(C, H // k, k, Wd // k, k)
        return r.sum(axis=(2, 4)) if op == "sum" else r.mean(axis=(2, 4))

    d = lambda a: a.astype(np.float64)
    v_li = np.zeros(8)
    v_int = np.zeros(8)
    syn_c = np.zeros(3); v_c = np.zeros(3)
    v_if = np.zeros(3)
    delay_steps = int(round(2 * MISC_DT / dt))
    delay_buf = [np.zeros(8)] * delay_steps
    rec = {k: [] for k in ["li", "int", "thr", "syn_c", "v_c", "v_if", "s_if"]}
    for t in range(steps):
        a = x[t].astype(np.float64)
        f = pool(a, 2, "sum").reshape(-1)
        # LI: tau dv/dt = (v_leak - v) + r*I
        v_li = v_li + dt / 0.005 * ((0.0 - v_li) + 1.0 * (d(scale) * f))
        # Delay by 2 steps, then I: dv/dt = r*I, then Threshold (v > thr)
        delay_buf.append(f); delayed = delay_buf.pop(0)
        v_int = v_int + dt * 47.0 * delayed
        thr = (v_int > 1.0).astype(np.float64)
        # Conv1d branch -> Linear -> CubaLI (v update uses the new I_syn)
        g = conv1d(pool(a, 2, "avg").reshape(2, 4), d(W_c1), d(b_c1), 1).reshape(-1)
        syn_c = syn_c + dt / 0.004 * (-syn_c + 1.0 * (d(W_lin) @ g))
        v_c = v_c + dt / 0.01 * ((0.0 - v_c) + 2.0 * syn_c)
        # IF (inputs summed): dv/dt = r*I, fire if v > v_thr, reset to v_reset
        i_if = d(W_aff) @ (v_li + thr) + d(b_aff) + v_c
        v_if = v_if + dt * 50.0 * i_if
        s_if = (v_if > 1.0).astype(np.float64)
        v_if = np.where(s_if > 0, 0.0, v_if)
        for k_, val in [("li", v_li), ("int", v_int), ("thr", thr), ("syn_c", syn_c),
                        ("v_c", v_c), ("v_if", v_if), ("s_if", s_if)]:
            rec[k_].append(val.copy())

    # Written without compression (nir.write(compression=None)): keeps the file small and
    # gives the reader an uncompressed variant to handle.
    nir.write(OUT / f"{name}.nir", graph, compression=None)
    write_input(name, x)
    nodes_tr = {
        "li": {"type": "LI", "v": r7(rec["li"])},
        "integrator": {"type": "I", "v": r7(rec["int"])},
        "threshold": {"type": "Threshold", "spikes": spikes(rec["thr"])},
        "cubali": {"type": "CubaLI", "v": r7(rec["v_c"]), "synapticCurrent": r7(rec["syn_c"])},
        "if": neuron_entry("IF", rec["v_if"], rec["s_if"]),
    }
    write_trace(name, "nir", dt, "zero", "after-reset", nodes_tr, spikes(rec["s_if"]), steps)


# --------------------------------------------------------------------------- README
def describe_nir(path):
    """Markdown listing of nodes/edges/datasets of a .nir file, read with h5py."""
    lines = []
    with h5py.File(path, "r") as f:
        ver = f["version"]
        lines.append(f"- file: `version` = `{ver[()].decode()}` (variable-length string); "
                     f"root group `node` with `type` = `{f['node/type'][()].decode()}`")
        nodes = f["node/nodes"]
        lines.append("- nodes (`node/nodes/<name>`; each has a `type` string; datasets listed as "
                     "`name dtype[shape] [compression][=value]`, no compression word = uncompressed):")
        for nname in nodes:  # h5py lists in name order
            g = nodes[nname]
            parts = []
            for k in g:
                if k == "type":
                    continue
                ds = g[k]
                if isinstance(ds, h5py.Group):
                    parts.append(f"{k}/ (group)")
                    continue
                val = ""
                if ds.dtype.kind in "iu" or (ds.size <= 2 and ds.dtype.kind == "f"):
                    val = "=" + np.array2string(ds[()], separator=",").replace("\n", "")
                elif ds.dtype.kind == "f" and np.all(ds[()] == ds[()].flat[0]):
                    val = f"=all {ds[()].flat[0]:.7g}"
                z = "" if ds.compression is None else f" {ds.compression}"
                parts.append(f"{k} {ds.dtype}{list(ds.shape)}{z}{val}")
            lines.append(f"  - `{nname}`: **{g['type'][()].decode()}** — " + "; ".join(parts))
        e = f["node/edges"]
        edges = [(a.decode(), b.decode()) for a, b in e[()]]
        lines.append(f"- edges (`node/edges`, {e.dtype} strings, shape {list(e.shape)}, "
                     f"compression {e.compression}): "
                     + ", ".join(f"{a}→{b}" for a, b in edges))
    return "\n".join(lines)


CASE_TEXT = {
    "snntorch-affine-lif": """\
**Tool**: snnTorch {snntorch}, `snntorch.export_nir.export_to_nir(net, torch.zeros(1,4), ignore_dims=[0])`.
**Network**: `Sequential(nn.Linear(4,3), snn.Leaky(beta=0.9*ones(3), threshold=ones(3), init_hidden=True))`
(default reset_mechanism="subtract", reset_delay=True). Per-neuron tensors because a scalar `beta=0.9` makes
`export_to_nir` fail (0-d tau → LIF input type [] ≠ [3] in nir's `infer_types`); the dynamics are identical. Linear weight ~ U(-0.3, 0.7), bias ~ U(-0.1, 0.1) (torch seed 1).
**Input**: 50 steps × 4 columns, binary spikes (p=0.4, numpy seed 1).
**Simulation (snnTorch source)**: `reset[t] = H(mem[t-1] - thr)`; `mem[t] = beta*mem[t-1] + I[t] - reset[t]*thr`;
`spk[t] = H(mem[t] - thr)` with H(x) = x > 0 (strict). mem starts at 0.
**`v`** = snnTorch `mem` = **before reset**: the subtraction for a spike at step t appears in mem[t+1],
and is *not* decayed by beta. **reset** = subtract (threshold), although the file says v_reset = 0.
**Exporter conventions**: hard-coded dt = 1e-4; `tau = dt/(1-beta)` = 0.001 (float32 0.0009999998),
`r = tau/dt` = 9.999997 (float32), `v_leak = 0`, `v_threshold = threshold`, `v_reset = 0`.
Forward Euler of the NIR LIF with dt=1e-4 gives `v += (1-beta)*(-v) + (1-beta)*r*I = beta*v + I`.
Trace node `1` is the LIF; `output` = spikes of node `1`.""",
    "norse-affine-lif": """\
**Tool**: Norse {norse}, `norse.torch.to_nir(net)` (nirtorch `torch_to_nir`, torch.fx tracing).
**Network**: `SequentialState(nn.Linear(4,3), LIFBoxCell(LIFBoxParameters(tau_mem_inv=100·ones(3), v_leak=0, v_th=1, v_reset=0)))`,
cell dt = 0.001 (Norse default). Linear weight ~ U(-1, 2), bias ~ U(0.3, 0.8) (torch seed 2).
**Input**: 50 steps × 4 columns, binary spikes (p=0.5, numpy seed 2).
**Simulation (Norse source, `lif_box_feed_forward_step`)**: `v' = v + dt*tau_mem_inv*((v_leak - v) + I)`;
`z = H(v' - v_th)` (H: x > 0); `v = (1-z)*v' + z*v_reset`. v starts at v_leak = 0.
**`v`** = `state.v` returned by the cell = **after reset** (a spiking step shows v_reset).
**reset** = to v_reset (= 0, "zero").
**Exporter conventions**: no dt written; `tau = time_scaling_factor / tau_mem_inv` = 1/100 = 0.01
(time_scaling_factor=1), `r = 1`, `v_leak`, `v_threshold = v_th`, `v_reset` written; all float32.
Forward Euler of the NIR LIF with dt = 1e-3 reproduces the trace.
Trace node `_1` is the LIF; `output` = spikes of `_1`.""",
    "snntorch-conv2d-lif": """\
**Tool**: snnTorch {snntorch}, `export_to_nir(net, torch.zeros(1,2,1,8), ignore_dims=[0])`.
snnTorch's exporter has **no Conv1d and no IF** mapping, so the 1-D convolution is a
`nn.Conv2d(2, 3, kernel_size=3, padding=1)` on input shape (2, 1, 8) (only the middle kernel row
sees data), and the neurons are LIF. (A (1,3) kernel fails: nir's Conv2d shape inference uses
`weight.shape[2]` for both spatial axes.)
**Network**: `Sequential(Conv2d(2,3,3,padding=1), nn.Flatten(), snn.Leaky(beta=0.9, thr=1; 24 neurons),
nn.Linear(24,2), snn.Leaky(beta=0.8, thr=1; 2 neurons))`, reset subtract. Conv weight ~ U(-0.3, 0.6), Linear weight ~ U(-0.2, 0.6), biases default init (seed 3).
**Input**: 40 steps × 16 columns = (channel, h=1, w) flattened row-major, binary spikes (p=0.3, seed 3).
**`v`** before reset (as case a). Node `2` (24 LIFs, index = c*8 + w of the conv output), node `4` (2 LIFs).
Conv2d is written with `input_shape` = [1, 8] (filled in by `infer_types`), padding/stride/dilation as int64 [2]
arrays; its weight (C_out, C_in, kH, kW) and bias are uncompressed (torch tensors at write time).
Flatten: snnTorch subtracts 1 from torch's start_dim → `start_dim = 0`, `end_dim = -1`.
LIF tau = 1e-4/(1-beta) (0.001 and 0.0005), r = tau/1e-4, v_leak = 0, v_reset = 0; dt = 1e-4.
`output` = spikes of node `4`.""",
    "norse-conv2d-if": """\
**Tool**: Norse {norse}, `norse.torch.to_nir(net, type_check=False)`. Norse maps Conv2d, IAFCell → **IF**,
LIBoxCell → **LI**, Linear; it has no Conv1d/Flatten mapping, so the same 1-D-as-2-D conv is used.
**Network**: `SequentialState(Conv2d(2,3,3,padding=1), IAFCell(v_th=1, v_reset=0; shape (3,1,8)),
Conv2d(3,1,3,padding=1), LIBoxCell(tau_mem_inv=200, v_leak=0; shape (1,1,8)))`, dt = 0.001;
conv weights ~ U(-0.3, 0.6) and U(-0.5, 1.0), biases default init (seed 4).
**Fix-up (not by Norse)**: Norse writes `Conv2d(input_shape=None)` and an untyped Input node, which
`nir.write` cannot save; the script replaces the Input node with `nir.Input([2,1,8])` and calls
`graph.infer_types()` (fills conv `input_shape`). Everything else is Norse's output.
**Input**: 40 steps × 16 columns = (c, h=1, w) row-major, binary spikes (p=0.4, seed 4).
**Simulation**: IF (`iaf_feed_forward_step`): `v' = v + I` (**no dt, no r** — Norse ignores dt for IAF);
`z = H(v' - v_th)`; `v = (1-z)*v' + z*v_reset`; v starts at v_reset. The NIR IF equation `dv/dt = R*I`
with forward Euler would give `v += dt*R*I` = 0.001*I with the exported r = 1, i.e. **Norse's IF
export does not match its own simulation under an Euler dt=1e-3 reading**; it matches if the IF is
integrated with dt = 1 (or r = 1/dt). LI (`li_box_feed_forward_step`): `v += dt*tau_mem_inv*((v_leak - v) + I)`,
exported `tau = 1/tau_mem_inv = 0.005`, `r = 1`, `v_leak = 0` (Euler with dt = 1e-3 matches).
**`v`** for IF = after reset; LI has no reset. Nodes: `_1` IF (24 = c*8 + w), `_3` LI (8 = w).
`output` = LI voltage of `_3` (LIBoxCell outputs v).""",
    "snntorch-recurrent-cubalif": """\
**Tool**: snnTorch {snntorch}, `export_to_nir(net, torch.zeros(1,4), ignore_dims=[0])`.
**Network**: `Sequential(nn.Linear(4,3), snn.RSynaptic(alpha=0.8*ones(3), beta=0.9*ones(3), threshold=ones(3),
all_to_all=True, linear_features=3, init_hidden=True))`; reset subtract. Linear weight ~ U(-0.1, 0.15), bias 0,
recurrent weight ~ U(-0.3, 0.3), recurrent bias ~ U(-0.02, 0.02) (seed 5). The recurrent `nn.Linear(3,3)` has a bias,
added every step (also at step 0, when spk[-1] = 0).
**Input**: 50 steps × 4 columns, binary spikes (p=0.3, seed 5).
**Simulation (snnTorch source)**: `reset[t] = H(mem[t-1]-thr)`;
`syn[t] = alpha*syn[t-1] + I[t] + W_rec·spk[t-1] + b_rec`; `mem[t] = beta*mem[t-1] + syn[t] - reset[t]*thr`;
`spk[t] = H(mem[t]-thr)`. The recurrent input uses the previous step's spikes; mem uses the *new* syn.
**`v`** = mem before reset; `synapticCurrent` = snnTorch `syn`.
**Exporter conventions**: the RSynaptic is mapped to a sub-NIRGraph {{input, lif: CubaLIF, w_rec: Affine, output}}
with edges input→lif, lif→w_rec, w_rec→lif, lif→output, but nirtorch's legacy `extract_nir_graph` **flattens**
it: the file has no nested NIRGraph; the nodes are top-level `1.lif` (CubaLIF) and `1.w_rec` (Affine) and the
recurrent loop is the pair of edges `1.lif→1.w_rec`, `1.w_rec→1.lif` (sub-graph input/output removed, the
feed-forward edge is `0→1.lif`). dt = 1e-4; `tau_syn = dt/(1-alpha)` = 0.0005, `tau_mem = dt/(1-beta)` = 0.001,
`r = tau_mem/dt` ≈ 10, `w_in = tau_syn/dt` ≈ 5, `v_leak = 0`, `v_reset = 0`, all **float64** here (float32 in case a).
Euler with dt=1e-4: `I += (1-alpha)(-I + w_in*x) = alpha*I + x`, `v += (1-beta)(-v + r*I) = beta*v + I`
(snnTorch uses the updated I in the v update). `w_in` scales the *sum* of both incoming edges (0 and 1.w_rec);
the recurrent edge must carry the previous step's spikes (one-step delay), the feed-forward edge the current step.""",
    "nir-misc": """\
**Tool**: hand-built with the nir {nir} Python API (`nir.NIRGraph(..., type_check=False)` + `infer_types()`),
trace from the numpy forward-Euler reference in the script (float64 arithmetic, dt = 1e-3, all state starts at 0).
Not from snnTorch/Norse: it only covers node types those exporters do not write.
**Input**: 30 steps × 32 columns = (c=2, h=4, w=4) row-major, binary spikes (p=0.35, seed 6).
**Equations per step t** (x = input):
`f = flatten(SumPool2d_k2s2(x))` (8);
`li: v += dt/tau*((v_leak - v) + r*(scale ⊙ f))`;
`delay: d[t] = f[t - 2]` (delay = 2·dt, zeros before); `integrator (I): v += dt*r*d`; `threshold: s = v_int > 1`;
`g = flatten(Conv1d_k3p1(flatten_hw(AvgPool2d_k2s2(x))))` (4; flatten_hw = Flatten(start_dim=1) → (2,4));
`cubali: I_syn += dt/tau_syn*(-I_syn + w_in*(W_lin·g))`, then `v += dt/tau_mem*((v_leak - v) + r*I_syn)` (new I_syn);
`affine` has two incoming edges (li→affine, threshold→affine), summed: `a = W_aff·(v_li + s_thr) + b_aff`;
`if` has two incoming edges (affine→if, cubali→if), summed: `v += dt*r*(a + v_cubali)`; spike if v > v_threshold,
then v = v_reset (v recorded after reset). `output` = IF spikes.
Semantics assumed: every edge passes its value within the same step (nodes evaluated in topological order,
neurons output their updated state: LI/I/CubaLI output v, IF/Threshold output spikes); several edges into
one node are summed; Delay holds values for delay/dt = 2 steps.""",
}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    cases = [
        ("snntorch-affine-lif", case_snntorch_affine_lif),
        ("norse-affine-lif", case_norse_affine_lif),
        ("snntorch-conv2d-lif", case_snntorch_conv2d_lif),
        ("norse-conv2d-if", case_norse_conv2d_if),
        ("snntorch-recurrent-cubalif", case_snntorch_recurrent_cubalif),
        ("nir-misc", case_nir_misc),
    ]
    for name, fn in cases:
        fn()
        tr = json.load(open(OUT / f"{name}.trace.json"))
        counts = {k: int(np.sum(v["spikes"])) for k, v in tr["nodes"].items() if "spikes" in v}
        print(f"{name}: spike counts {counts}")

    readme = [README_HEAD.format(**VERSIONS)]
    for name, _ in cases:
        readme.append(f"## {name}\n")
        readme.append(CASE_TEXT[name].format(**VERSIONS) + "\n")
        readme.append("File structure (`h5py`):\n")
        readme.append(describe_nir(OUT / f"{name}.nir") + "\n")
    (OUT / "README.md").write_text("\n".join(readme))


README_HEAD = """\
# NIR reference fixtures

Generated by `scripts/nir-fixtures.py` (see its docstring for how to install the tools); do not edit by hand.
Versions: torch {torch}, nir {nir}, nirtorch {nirtorch}, snntorch {snntorch}, norse {norse}, h5py {h5py}, numpy {numpy}.

Per case `<case>`:
- `<case>.nir` — HDF5 written by `nir.write` from the graph the tool's exporter returned.
- `<case>.input.csv` — no header; one row per time step; one column per element of the graph input,
  flattened row-major (C order) from the Input node's shape; batch dimension omitted (batch 1).
- `<case>.trace.json` — `{{tool, toolVersion, nirVersion, dt, steps, reset, vRecorded, nodes, output}}`.
  `nodes` is keyed by the node name in the .nir file; `v`, `spikes`, `synapticCurrent` are
  `[step][element]` with elements flattened row-major. Values are what the tool's torch modules
  computed step by step (batch 1, float32), rounded to 7 significant digits. Step t of the trace is the
  state after consuming input row t. `dt` is the step the tool/exporter assumes (snnTorch's exporter
  hard-codes 1e-4; Norse's cells default to 1e-3 and its exporter writes no dt).

Compression: `nir.write` (default) gzip-compresses (level 4, chunked) only values that are numpy arrays.
Everything else is stored uncompressed: Python scalars (`groups`, `start_dim`, `end_dim`; 0-d), tuples
(conv/pool `stride`, `padding`, `dilation`), **torch tensors** (snnTorch passes Conv2d `weight`/`bias` as
torch tensors, so they are uncompressed in `snntorch-conv2d-lif.nir`) and strings (`version`, `type`,
`edges`; variable-length). `nir-misc.nir` was written with `compression=None` (nothing compressed).
The listings below mark each gzip dataset; a reader must accept both on any dataset. Input/Output nodes store only
`shape` (int64); no `input_type`/`output_type` groups are written. Dtypes follow the tool (float32
from torch tensors, float64 where snnTorch builds parameters with `np.ones * beta`, int64 for shapes,
strides, padding, `start_dim`). `v_reset` is present on every LIF/CubaLIF/IF node in these files.
Spikes use a strict threshold (`v > v_threshold`) in both tools.
"""


if __name__ == "__main__":
    main()
