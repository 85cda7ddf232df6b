#!/usr/bin/env python3
"""Writes the seed corpora in corpus/<target>/: small pieces of tests/data, of the real logs in
../shared/testdata/real (when present) and of the documented examples. Seeds are kept to a few KB
per target: libFuzzer grows its own corpus from them. Run from anywhere; rewrites the corpora."""

import json
import re
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REAL = ROOT.parent / "shared" / "testdata" / "real"
DATA = ROOT / "tests" / "data"


def write(target, name, data):
    folder = HERE / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def head_lines(path, n):
    return b"".join(path.read_bytes().splitlines(keepends=True)[:n])


def tfrecords(path, count):
    """The first `count` TFRecord records under 1 KB of an event file (graphs and images left
    out), framing and checksums untouched."""
    data, pos, out = path.read_bytes(), 0, []
    while len(out) < count and pos + 12 <= len(data):
        (length,) = struct.unpack_from("<Q", data, pos)
        end = pos + 12 + length + 4
        if length < 1024:
            out.append(data[pos:end])
        pos = end
    return b"".join(out)


def tfevents():
    for folder, records in [("pytorch_detectron2_maskrcnn", 6), ("pytorch_yolov5_train", 4), ("tf2_keras_imdb_train", 5)]:
        for f in (REAL / "tfevents" / folder).glob("*tfevents*"):
            write("fuzz_tfevents", folder, tfrecords(f, records))
    truncated = REAL / "tfevents/edge/tensorboardx_truncated_last_record"
    for f in truncated.glob("*tfevents*"):
        write("fuzz_tfevents", "tensorboardx_truncated", f.read_bytes()[-600:])


def csv():
    for f in (REAL / "csv").glob("*"):
        write("fuzz_csv", f.stem, head_lines(f, 6))
    write("fuzz_csv", "restart_metrics", (DATA / "logs/restart_metrics.csv").read_bytes())
    write("fuzz_csv", "quoted_tsv", '\ufeff"step"\t"loss, total"\twall_time\r\n1\t"0.5"\t1.5e9\r\n2\tnan\t\r\n3\tNA\tinf\r\n')
    write("fuzz_csv", "sparse_semicolon", "epoch;loss;val_loss\n0;1.5;\n0;;2.0\n1;1.2;1.9\n")


def json_lines():
    for f in (REAL / "jsonl").glob("*"):
        write("fuzz_json_lines", f.stem, head_lines(f, 3))
    write("fuzz_json_lines", "live_records", (DATA / "logs/live_records.jsonl").read_bytes())
    write("fuzz_json_lines", "mmdet_log", "\n".join([
        '{"env_info": "sys.platform: linux", "config": "model = dict()"}',
        '{"mode": "train", "epoch": 1, "iter": 50, "lr": 0.02, "loss_cls": 0.9, "loss_bbox": 0.5, "loss": 1.4}',
        '{"mode": "train", "epoch": 2, "iter": 50, "lr": 0.02, "loss_cls": 0.7, "loss": 1.1}',
        '{"mode": "val", "epoch": 2, "iter": 100, "bbox_mAP": 0.31}']) + "\n")
    write("fuzz_json_lines", "mmengine_nested", '{"step": 1, "loss": NaN, "decode": {"loss_ce": Infinity}, "lr": -Infinity}\n'
                                                '{"step": 0, "loss": 1e308, "x": [1, 2], "s": "text", "n": null}\r\n')


def json_scalars():
    write("fuzz_json_scalars", "tensorboardx", json.dumps({
        "runs/exp/loss/total": [[1700000000.5, 0, 2.5], [1700000001.5, 1, 2.25]],
        "runs/exp/loss/scene": [[1700000000.5, 0, 1.0], [1700000001.5, 1, "NaN"]]}))
    write("fuzz_json_scalars", "bare_nan", '{"a/b": [[1.0, 3, NaN], [2.0, 4, Infinity], [3.0, 2, -Infinity], [1, 2]]}')


def live_protocol():
    write("fuzz_live_protocol", "session", "\n".join([
        '{"hello":{"run":"mtl-seed0","token":"secret","meta":{"model":"resnet"},"version":1}}',
        '{"step":120,"wall_time":1700000000.25,"scalars":{"loss/scene":0.53,"total_loss":0.753},"roles":{"total_loss":"total"}}',
        '{"run":"other","step":121.0,"scalars":{"loss/depth":NaN,"l2":Infinity,"x":-Infinity}}',
        '{"sync":"a1"}', '{"sync":7}', "", "   ",
        '{"step":"bad","scalars":{}}']) + "\r\n")
    write("fuzz_live_protocol", "records", (DATA / "logs/live_records.jsonl").read_bytes())


def loss_cases():
    # One small case per function from the reference files, expectations dropped.
    seen, cases = set(), []
    for name in ("tf_losses.json", "torch_losses.json"):
        for case in json.loads((DATA / "references" / name).read_text())["cases"]:
            size = sum(len(t["data"]) for t in case["inputs"].values() if t)
            if case["fn"] in seen or size > 24:
                continue
            seen.add(case["fn"])
            cases.append({k: case[k] for k in ("id", "fn", "inputs", "args") if k in case})
    for i in range(0, len(cases), 4):
        write("fuzz_loss_cases", f"cases_{i // 4}", json.dumps({"cases": cases[i:i + 4]}, separators=(",", ":")))
    write("fuzz_loss_cases", "errors", '{"cases":[{"id":1,"fn":"log_loss","inputs":{"predictions":{"shape":[2],"data":["NaN",1]},'
                                        '"labels":{"shape":[2],"data":[0,"Infinity"]}},"args":{"epsilon":1e-7,"reduction":"NONE"}},'
                                        '{"fn":"nope"},{"id":"x","fn":"hinge_loss","inputs":{"logits":{"shape":[3],"data":[1]}}}]}')


def session():
    write("fuzz_session", "session", json.dumps({
        "format": "losslens-session", "version": 1, "sources": ["/runs/mtl", "runs/b.csv"],
        "runs": {"filter": "seed", "group": "(.*)-seed\\d+", "focus": "mtl-seed0", "unchecked": ["baseline"],
                 "colors": {"mtl-seed0": "#1f77b4", "bad": "zz"}},
        "tags": {"filter": "loss", "checked": {"loss/scene": True, "l2": False}},
        "view": {"view": "breakdown", "smoothing": 0.8, "smoothingKind": "time", "xAxis": "wall", "logY": True,
                 "ignoreOutliers": True, "showRaw": False, "colorBy": "run", "compareDifference": True,
                 "epochSteps": 0, "dark": True},
        "weights": {"loss/scene": 0.5, "depth": "x"},
        "roles": {"version": 1, "tags": {"l2": "regularization"}, "runs": {"mtl-seed0": {"loss": "total"}}}}, indent=1))
    write("fuzz_session", "minimal", '{"format":"losslens-session","view":{"smoothing":7}}')


def expression():
    for i, text in enumerate([
            "total_loss - (loss_cls + `loss/box`)", 'log("loss/box") * 0.5 + loss_cls ^ 2 ^ 0.5',
            "max(loss_cls, -total_loss) / min(1e-3, sqrt(abs(total_loss)))", "shift(loss_cls, 2) - shift(loss_cls, -1)",
            "sigmoid(tanh(exp(square(loss_cls))))", "pow(total_loss, 3) - -loss_cls", "1.5e3"]):
        write("fuzz_expression", f"expr_{i}", text)


def script():
    # The shipped examples (focal, dice, uncertainty, dwa), as the editor offers them.
    examples = (ROOT / "core/script/script_examples.cpp").read_text()
    for name, source in re.findall(r'const char\* const k(\w+) = R"JS\((.*?)\)JS";', examples, re.S):
        write("fuzz_script", name.lower(), source)
    write("fuzz_script", "helpers", "function loss(inputs, args) {\n"
          "  const x = inputs.logits, t = inputs.targets;\n"
          "  const s = softmax(x, 1), ls = logSoftmax(x), m = max(x, 1, true);\n"
          "  const y = where(gt(x, 0), relu(x), softplus(x));\n"
          "  const z = clip(add(mul(sign(x), sqrt(abs(x))), reshape(oneHot(array([0, 2, 1, 2]), 3), [4, 3])), -1, 1);\n"
          "  return add(sub(mul(t, neg(ls)), mean(s)), add(mul(y, z), minimum(maximum(s, 0.1), full([4, 3], args.gamma))));\n"
          "}\n")
    write("fuzz_script", "derive", "function derive(series, steps) {\n"
          "  return sub(series.total_loss, add(series.loss_cls, series[\"loss/box\"]));\n}\n")
    write("fuzz_script", "recipe_dwa", "function total(components, regularization, args) {\n"
          "  const T = args.temperature ?? 2, names = Object.keys(components);\n"
          "  const e = names.map(n => exp(div(div(shift(components[n], 1), shift(components[n], 2)), T)));\n"
          "  return e.reduce((a, b) => add(a, b));\n}\n")


if __name__ == "__main__":
    for make in (tfevents, csv, json_lines, json_scalars, live_protocol, loss_cases, session, expression, script):
        make()
    for folder in sorted((HERE / "corpus").iterdir()):
        files = list(folder.iterdir())
        print(f"{folder.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")
