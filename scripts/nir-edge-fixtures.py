#!/usr/bin/env python3
"""Write the NIR files of the reader's edge cases.

``fixtures/nir/nested-recurrent-cubalif.nir``: snnTorch's RSynaptic graph
(``snntorch-recurrent-cubalif.nir``, which snnTorch writes flattened) rewritten with ``nir`` as a nested
NIRGraph, so that the same trace checks nested graphs. Needs ``nir`` (see ``nir-fixtures.py``).

``fixtures/nir/bad/``: malformed files, each wrong in one way. They are written with h5py directly, laid out as ``nir.write`` lays out a graph (a ``version``
string, a group ``node`` of type NIRGraph with ``nodes/<name>/`` and ``edges``), so that each file
is a valid HDF5 file that is a broken NIR graph. Run: ``python scripts/nir-bad-fixtures.py``
(needs h5py and numpy).
"""
import pathlib

import h5py
import numpy as np

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "nir"
OUT = FIXTURES / "bad"


def nested():
    import nir

    flat = nir.read(FIXTURES / "snntorch-recurrent-cubalif.nir")
    n = flat.nodes["1.lif"].v_threshold.shape[0]
    inner = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([n])),
            "lif": flat.nodes["1.lif"],
            "w_rec": flat.nodes["1.w_rec"],
            "output": nir.Output(output_type=np.array([n])),
        },
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
        type_check=False,
    )
    graph = nir.NIRGraph(
        nodes={"input": flat.nodes["input"], "0": flat.nodes["0"], "1": inner, "output": flat.nodes["output"]},
        edges=[("input", "0"), ("0", "1"), ("1", "output")],
        type_check=False,
    )
    nir.write(FIXTURES / "nested-recurrent-cubalif.nir", graph)


def graph(path, nodes, edges):
    with h5py.File(path, "w") as f:
        f.create_dataset("version", data="1.0.8")
        node = f.create_group("node")
        node.create_dataset("type", data="NIRGraph")
        group = node.create_group("nodes")
        for name, fill in nodes.items():
            fill(group.create_group(name))
        node.create_dataset("edges", data=np.array(edges, dtype=object), dtype=h5py.string_dtype())


def io(kind, shape):
    def fill(g):
        g.create_dataset("type", data=kind)
        g.create_dataset("shape", data=np.array(shape, dtype=np.int64))
    return fill


def lif(n, extra=None):
    def fill(g):
        g.create_dataset("type", data="LIF")
        for key in ("tau", "r", "v_leak", "v_threshold"):
            g.create_dataset(key, data=np.full(n, {"tau": 1e-3, "r": 10.0, "v_leak": 0.0, "v_threshold": 1.0}[key], dtype=np.float32))
        if extra:
            extra(g)
    return fill


def main():
    nested()
    OUT.mkdir(parents=True, exist_ok=True)
    # A weight of 200,000 × 200,000 float32 (160 GB), stored as chunks never written: the file stays tiny.
    def huge(g):
        g.create_dataset("type", data="Affine")
        g.create_dataset("weight", shape=(200_000, 200_000), dtype=np.float32, chunks=(64, 64), compression="gzip")
        g.create_dataset("bias", shape=(200_000,), dtype=np.float32, chunks=(1024,), compression="gzip")
    graph(OUT / "huge-shape.nir", {"input": io("Input", [200_000]), "fc": huge, "output": io("Output", [200_000])},
          [("input", "fc"), ("fc", "output")])
    # A string where an array of numbers belongs.
    def tau_text(g):
        del g["tau"]
        g.create_dataset("tau", data="fast")
    graph(OUT / "wrong-type.nir", {"input": io("Input", [3]), "lif": lif(3, tau_text), "output": io("Output", [3])},
          [("input", "lif"), ("lif", "output")])
    # A node type NIR does not have.
    def spiral(g):
        g.create_dataset("type", data="Spiral")
        g.create_dataset("turns", data=np.float32(3))
    graph(OUT / "unknown-node.nir", {"input": io("Input", [3]), "twist": spiral, "output": io("Output", [3])},
          [("input", "twist"), ("twist", "output")])
    # A parameter the LIF node does not have.
    graph(OUT / "unknown-parameter.nir",
          {"input": io("Input", [3]), "lif": lif(3, lambda g: g.create_dataset("gain", data=np.ones(3, dtype=np.float32))), "output": io("Output", [3])},
          [("input", "lif"), ("lif", "output")])
    # A cycle of two Scale nodes: nothing holds its state (an algebraic loop).
    def scale(g):
        g.create_dataset("type", data="Scale")
        g.create_dataset("scale", data=np.ones(3, dtype=np.float32))
    graph(OUT / "stateless-cycle.nir", {"input": io("Input", [3]), "a": scale, "b": scale, "output": io("Output", [3])},
          [("input", "a"), ("a", "b"), ("b", "a"), ("b", "output")])
    # An HDF5 file with no NIR graph in it.
    with h5py.File(OUT / "no-graph.nir", "w") as f:
        f.create_dataset("version", data="1.0.8")
        f.create_dataset("data", data=np.arange(4, dtype=np.float32))


if __name__ == "__main__":
    main()
