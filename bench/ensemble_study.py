"""Study tool for the HTML ensemble: per-page scores of cached extractor outputs and of selection rules.

Run `bench/html_extraction.py` first (it caches every extractor's output); then
    python bench/ensemble_study.py [--extractors trafilatura,trafilatura_fast,readability,resiliparse]
prints, per set, each extractor's F1, the per-page oracle (best extractor chosen with the gold text), and
the F1 of the ensemble's decision (`pipeline.extract.ensemble.combine*`) applied to the cached outputs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import HTML_SETS, f1, precision_recall, snippet_counts  # noqa: E402


def page_score(text: str, page) -> tuple[float, float]:
    if page.set == "trafilatura-eval":
        tp, fn, fp, tn = snippet_counts(text, page)
        total = tp + fn + fp + tn
        return ((tp + tn) / total if total else 1.0), 0.0
    return precision_recall(text, page.gold)


def aggregate(pages, texts: dict[str, str]) -> float:
    from bench.html_extraction import score_set

    return score_set(pages, texts)["f1"]


def main() -> int:
    from bench.html_extraction import cache_path
    from pipeline.extract.ensemble import combine, combine_readability_first
    from pipeline.text import cjk_share

    parser = argparse.ArgumentParser()
    parser.add_argument("--extractors", default="trafilatura,trafilatura_fast,readability,resiliparse")  # combine's inputs
    parser.add_argument("--sets", default=",".join(HTML_SETS))
    parser.add_argument("--show", type=int, default=0, help="print the N pages where the choice lost most")
    args = parser.parse_args()
    names = args.extractors.split(",")
    means = {n: [] for n in names + ["oracle", "choice"]}
    for set_name in args.sets.split(","):
        pages = list(HTML_SETS[set_name]())
        if not pages:
            continue
        outputs = {}
        for n in names:
            outputs[n] = json.loads(cache_path(n, set_name).read_text())["outputs"]
        oracle, chosen, losses = {}, {}, []
        for page in pages:
            candidates = {n: outputs[n].get(page.name, "") for n in names}
            scores = {}
            for n, text in candidates.items():
                p, r = page_score(text, page)
                scores[n] = f1(p, r) if page.set != "trafilatura-eval" else p
            best = max(names, key=lambda n: scores[n])
            oracle[page.name] = candidates[best]
            if cjk_share(candidates["resiliparse"][:3000]) > 0.3:
                choice = combine_readability_first(candidates["readability"], candidates["resiliparse"],
                                                   lambda c=candidates: c["trafilatura_fast"])
            else:
                choice = combine(candidates["trafilatura"], candidates["resiliparse"],
                                 lambda c=candidates: c["readability"])
            why = "ensemble"
            chosen[page.name] = choice
            p, r = page_score(choice, page)
            got = f1(p, r) if page.set != "trafilatura-eval" else p
            losses.append((scores[best] - got, page.name, why, {k: round(v, 3) for k, v in scores.items()}))
        row = {n: aggregate(pages, outputs[n]) for n in names}
        row["oracle"] = aggregate(pages, oracle)
        row["choice"] = aggregate(pages, chosen)
        for k, v in row.items():
            means[k].append(v)
        print(f"{set_name:<28} " + "  ".join(f"{k} {v:.4f}" for k, v in row.items()))
        for loss in sorted(losses, reverse=True)[: args.show]:
            print("    lost", f"{loss[0]:.3f}", loss[1], loss[2], loss[3])
    print(f"{'mean':<28} " + "  ".join(f"{k} {sum(v) / len(v):.4f}" for k, v in means.items() if v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
