"""`make demo`'s log: qgis_process's progress ticks are taken off the log lines they run into
(scripts/qgis_tools.ProgressTicks), so every log line reads whole."""

import qgis_tools as qt


def test_progress_ticks_are_split_from_the_log_lines():
    ticks = qt.ProgressTicks()
    assert ticks.split("0...10..") == "" and ticks.percent == 15
    # the examples: the line after two dots, and after a due percentage
    assert ticks.split(".90619 validation samples") == "90619 validation samples"
    assert ticks.percent == 17  # 7 ticks: '90619' is not due ('20' is, after one more dot)
    assert ticks.split("20...30epoch 44/60") == "epoch 44/60" and ticks.percent == 30
    assert ticks.split("Training SVM on 371 samples") == "Training SVM on 371 samples"
    assert ticks.split("...40...50...60...70...80...90...100 - done.") == ""
    assert ticks.percent == 100 and not ticks.drawing
    assert ticks.split("0...10") == "" and ticks.percent == 10  # the next algorithm's bar


def test_a_real_qgis_process_log():
    """As qgis_process 3.22 printed a run of landslide_lsm:samplearea."""
    ticks = qt.ProgressTicks()
    lines = ["Sample area: relief and rivers",
             "0...10...20...30...40...50..Sample area: 70 landslides from the known process",
             ".60...70..Sample area: slope, aspect and distance rasters",
             ".80...90...100 - done.", "256 x 256 cells of 30 m, 70 landslides"]
    assert [ticks.split(line) for line in lines] == [
        "Sample area: relief and rivers", "Sample area: 70 landslides from the known process",
        "Sample area: slope, aspect and distance rasters", "",
        "256 x 256 cells of 30 m, 70 landslides"]


def test_a_log_line_of_digits_and_dots_is_not_taken_for_ticks():
    ticks = qt.ProgressTicks()
    assert ticks.split("1.5 minutes") == "1.5 minutes" and ticks.ticks == 0
    assert ticks.split("0 cells") == "0 cells" and not ticks.drawing
    assert ticks.split("...") == "..."  # no bar drawn: dots are text
    assert ticks.split("0...") == "" and ticks.split("25 % of the area") == "25 % of the area"
