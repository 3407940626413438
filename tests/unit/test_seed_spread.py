"""scripts/seed_spread.py: the README's table of the demo's figures over seeds is computed from
the metrics files (mean and sample SD per model), never typed in."""

import seed_spread


def rows(auroc: float, training: float) -> dict:
    return {name: {"model": name, "auroc": str(auroc), "accuracy": "0.7", "f1": "0.6",
                   "training_time_s": str(training)} for name, _, _ in seed_spread.MODELS}


def test_the_table_has_every_run_and_the_mean_and_sd_per_model():
    text = seed_spread.table({42: rows(0.70, 10), 43: rows(0.72, 12), 44: rows(0.74, 14)})
    lines = text.splitlines()
    assert len(lines) == 2 + 4 * len(seed_spread.MODELS)
    assert "| SVM | 43 | 0.720 | 0.700 | 0.600 | 12 s |" in lines
    # mean 0.72, sample SD 0.02 of (0.70, 0.72, 0.74)
    assert "| **LSNet** | mean +- SD | **0.720 +- 0.020** | 0.700 +- 0.000 | 0.600 +- 0.000 " \
           "| 12 s |" in lines


def test_metrics_are_read_by_model_name(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("model,auroc,accuracy,f1,training_time_s\nSVM,0.7,0.6,0.5,3\n"
                    "LSNet,0.65,0.6,0.6,400\n", encoding="utf-8")
    metrics = seed_spread.read_metrics(path)
    assert metrics["LSNet"]["auroc"] == "0.65" and set(metrics) == {"SVM", "LSNet"}
