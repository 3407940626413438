<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
    <context>
        <name>LandslideLsm</name>
        <message>
            <location filename="../gui/dock.py" line="55" />
            <location filename="../plugin.py" line="76" />
            <source>Landslide susceptibility: compare models</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="64" />
            <source>Acc.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="64" />
            <source>Prec.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="64" />
            <source>F1</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="65" />
            <source>Sens.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="65" />
            <source>Spec.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="65" />
            <source>AUROC</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="66" />
            <source>Train (s)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="66" />
            <source>Map (s)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="69" />
            <source>Accuracy: share of validation samples classified right</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="70" />
            <source>Precision: TP / (TP + FP)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="71" />
            <source>F1 score: harmonic mean of precision and sensitivity</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="72" />
            <source>Sensitivity (recall, true positive rate): TP / (TP + FN)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="73" />
            <source>Specificity (true negative rate): TN / (TN + FP)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="74" />
            <source>Area under the ROC curve</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="75" />
            <source>Training time in seconds</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="76" />
            <source>Time to compute the LSI map, in seconds</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="80" />
            <source>No factor importance in these results: run 'Factor importance and response curves' and give its file to Evaluate.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="269" />
            <source>Show the model's ROC curve</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="270" />
            <source>Show</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="272" />
            <source>Model</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="277" />
            <source>{} ({})</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="279" />
            <source>higher is better</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="279" />
            <source>lower is better</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="307" />
            <source>Show or hide this model's ROC curve</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="330" />
            <source>Best of the models (highest)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="331" />
            <source>Best of the models (lowest)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="403" />
            <source>Add results…</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="404" />
            <source>Add a results file written by 'Evaluate susceptibility maps'</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="406" />
            <source>Refresh</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="407" />
            <source>Re-read the results files and pick up the evaluations of this session</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="409" />
            <source>Export figure…</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="410" />
            <source>Save the ROC figure as PNG or SVG</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="411" />
            <source>Export table…</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="412" />
            <source>Save the metrics of every model as CSV</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="413" />
            <source>Clear</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="446" />
            <source>ROC</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="447" />
            <source>Importance</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="448" />
            <source>ROC curves of the ticked models</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="449" />
            <source>Factor importance of the selected model (drop of its validation AUROC when a factor is permuted)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="468" />
            <source>Load LSI</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="469" />
            <source>Add the selected model's LSI map to the project</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="470" />
            <source>Load zones</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="471" />
            <source>Add the selected model's zone map to the project</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="472" />
            <source>Load SD</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="473" />
            <source>Add the uncertainty map (the standard deviation of an ensemble model's LSI; Predict LSI, OUTPUT_SD)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="511" />
            <source>The ROC figure needs the Python package matplotlib, which QGIS's Python cannot import. Install it with:
{}
and restart QGIS. The metrics table below works without it.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="516" />
            <source>The importance chart needs the Python package matplotlib. Install it with:
{}
and restart QGIS.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="520" />
            <source>Exporting the ROC figure needs matplotlib: {}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="579" />
            <source>{} model(s) from {} results file(s). Skipped {} results file(s) that no longer load, and removed them from the dock's list: {}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="587" />
            <source>{} model(s) from {} results file(s)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="599" />
            <source>Cleared; run Evaluate or add a results file.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="642" />
            <source>ROC, validation samples</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="645" />
            <source>Run 'Evaluate susceptibility maps'
or add a results file</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="659" />
            <source>Select a model in the table to see its factor importance.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="661" />
            <source>Run 'Evaluate susceptibility maps' or add a results file.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="666" />
            <source>The factor importance of {} does not read: {}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="696" />
            <source>Select a model in the table first.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="706" />
            <source>No LSI raster found for {}.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="707" />
            <source>No zone raster found for {}. Classify its LSI and give the zone raster to Evaluate (ZONES).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="709" />
            <source>No uncertainty (SD) raster found for {}. Train the model with an ensemble and map it with Predict LSI's standard-deviation output.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="715" />
            <location filename="../processing/predict_lsi.py" line="131" />
            <location filename="../processing/train_lsnet.py" line="221" />
            <location filename="../processing/training.py" line="248" />
            <source>LSI {}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="715" />
            <location filename="../processing/predict_lsi.py" line="134" />
            <source>LSI SD {}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="716" />
            <source>Zones {}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="725" />
            <source>Cannot open {} as a raster.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="729" />
            <source>Loaded {}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="747" />
            <source>Could not style {}: {}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="781" />
            <source>Add evaluation results</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="782" />
            <location filename="../processing/evaluate.py" line="103" />
            <location filename="../processing/make_project.py" line="47" />
            <location filename="../processing/report.py" line="53" />
            <source>Landslide LSM results (*.json)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="787" />
            <source>Export the ROC figure</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="788" />
            <location filename="../processing/crossvalidate.py" line="133" />
            <location filename="../processing/evaluate.py" line="112" />
            <location filename="../processing/frequency_ratio.py" line="104" />
            <location filename="../processing/importance.py" line="126" />
            <location filename="../processing/importance.py" line="130" />
            <source>PNG (*.png);;SVG (*.svg)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="793" />
            <source>Export the metrics</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="794" />
            <source>CSV (*.csv)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="800" />
            <source>the ROC figure</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="804" />
            <source>the metrics table</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="811" />
            <source>Could not save {}: {}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="815" />
            <source>Could not save {} to {}: {}. Choose a folder you can write to, or close the file if another program has it open.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../gui/dock.py" line="819" />
            <source>Saved {}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin.py" line="36" />
            <source>&amp;Landslide LSM</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../plugin.py" line="73" />
            <source>Compare models (ROC, metrics, maps)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="22" />
            <location filename="../processing/applicability.py" line="137" />
            <source>Area of applicability</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="25" />
            <source>&lt;p&gt;Where can the susceptibility map be trusted? A model has learned from its training samples only; where the factors take combinations it never saw (a lithology absent from the training area, slopes steeper than any training cell), it extrapolates, and its map there says little, however good its validation scores. This algorithm maps that, after Meyer and Pebesma (2021).&lt;/p&gt;&lt;p&gt;The &lt;b&gt;dissimilarity index&lt;/b&gt; (DI) of a cell is its distance, in the space of the factors, to the nearest training sample, divided by the mean distance between the training samples. Continuous factors are standardised (mean 0, standard deviation 1 over the training samples), categorical factors become one 0/1 column per unit seen in training, aspect its sine and cosine; each factor counts by its &lt;b&gt;weight&lt;/b&gt;, its importance to the model (from an explanation file), or equally without one. DI 0: the cell is like a training sample; DI 1: it is as far from the nearest training sample as training samples are, on average, from each other.&lt;/p&gt;&lt;p&gt;The &lt;b&gt;threshold&lt;/b&gt; comes from the cross-validation folds: every training sample's DI to the nearest training sample of &lt;i&gt;another&lt;/i&gt; fold, and the largest of these that is not an outlier (the upper whisker of their box plot: the largest at most Q3 + 1.5 IQR). The folds are the samples' own (field &lt;code&gt;fold&lt;/code&gt;, as 'Prepare training samples' writes them), else drawn by landslide. Cells with a DI above it lie &lt;b&gt;outside the area of applicability&lt;/b&gt;: the model is further from its training data there than cross-validation ever tested it.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Outputs&lt;/b&gt;: the DI raster (light to blue inside, orange to dark red outside) and a mask, 1 inside and 0 outside (styled grey outside and transparent inside, to lay over a map). 'Predict LSI' can set the cells outside to nodata (its advanced parameter 'Area of applicability mask'). Use the factor stack the model was trained on (the FR-encoded stack for a model trained on it) and its samples layer.&lt;/p&gt;&lt;p&gt;Meyer, H. and Pebesma, E. (2021). Predicting into unknown space? Estimating the area of applicability of spatial prediction models. &lt;i&gt;Methods in Ecology and Evolution&lt;/i&gt; 12:1620-1633.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="60" />
            <source>Factor stack (the one the model was trained on)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="61" />
            <source>The factors of every cell. Use the stack the model learned from: the raw stack, or the FR-encoded stack for a model trained on it.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="64" />
            <source>Samples (with the training split)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="66" />
            <source>The samples the model was trained on, as 'Prepare training samples' writes them: the training split (split = 'train') is the reference, its folds (field fold) set the threshold.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="70" />
            <source>Factor weights: explanation file (optional)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="71" />
            <location filename="../processing/importance.py" line="116" />
            <source>Landslide LSM explanation (*.json)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="72" />
            <source>The explanation file written by 'Factor importance and response curves' for the model: each factor counts by its permutation importance (the largest 1, negative as 0). Without it every factor counts equally. It must name exactly the stack's factors.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="77" />
            <source>Folds (when the samples have none)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="79" />
            <source>Used only when the samples layer has no folds: this many folds are drawn by landslide (a landslide's samples in one fold).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="82" />
            <location filename="../processing/classify_lsi.py" line="98" />
            <location filename="../processing/crossvalidate.py" line="121" />
            <location filename="../processing/frequency_ratio.py" line="87" />
            <location filename="../processing/importance.py" line="87" />
            <location filename="../processing/prepare_samples.py" line="123" />
            <location filename="../processing/sample_area.py" line="79" />
            <location filename="../processing/train_lsnet.py" line="114" />
            <location filename="../processing/training.py" line="100" />
            <source>Random seed</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="83" />
            <source>Seed of the folds drawn when the samples have none, and of the subsample (4000 samples) the mean distance is computed on above 4000 training samples.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="87" />
            <location filename="../processing/crossvalidate.py" line="124" />
            <location filename="../processing/predict_lsi.py" line="63" />
            <location filename="../processing/training.py" line="141" />
            <source>Threads</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="89" />
            <source>Threads of the nearest-neighbour search; the result does not depend on it.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="92" />
            <location filename="../processing/applicability.py" line="135" />
            <source>Dissimilarity index</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="93" />
            <source>Float32: each cell's distance in factor space to the nearest training sample, over the mean distance between training samples (0: like a training sample). Nodata where the stack is.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="97" />
            <source>Area of applicability (1 inside, 0 outside)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="98" />
            <source>Byte: 1 where the dissimilarity index is at most the threshold, 0 where it is above (the model extrapolates), 255 nodata. Give it to 'Predict LSI' to blank the map outside.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="103" />
            <source>Threshold of the dissimilarity index</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/applicability.py" line="105" />
            <source>Share of the valid cells inside the area of applicability</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="50" />
            <source>1 · Prepare data</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="51" />
            <source>2 · Train models</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="52" />
            <source>3 · Map susceptibility</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="53" />
            <source>4 · Evaluate</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="173" />
            <source>Landslide, training</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="174" />
            <source>Landslide, validation</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="175" />
            <source>Non-landslide, training</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="176" />
            <source>Non-landslide, validation</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="220" />
            <source>Fold {}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="237" />
            <source>yes</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="237" />
            <source>no</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="283" />
            <source>Needs the Python package(s): {}.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="294" />
            <source>Defaults</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="343" />
            <source>{}: out of memory. Close other programs, or work on a smaller extent or a coarser grid.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="349" />
            <source>{} failed unexpectedly: {}: {}. This is a bug in the plugin; please report it at {} with the log above.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="440" />
            <source>'{}' is not a file-based vector layer (provider {}). Save it to a GeoPackage first (Export &gt; Save Features As).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="449" />
            <source>No raster given for '{}'.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="451" />
            <source>'{}' is not a file-based raster (provider {}). Save it as a GeoTIFF first (Export &gt; Save As).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="473" />
            <source>Dask scheduler (empty: the plugin setting, then LANDSLIDE_LSM_SCHEDULER, then this process)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/base.py" line="475" />
            <source>Where the raster windows are computed: empty for the default, 'in-process', 'local:N' for a local Dask cluster of N worker processes, or a Dask scheduler's address (tcp://host:8786). The result is the same; on a cluster every file must be on a disk the workers can read and write.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="25" />
            <source>Bilinear</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="25" />
            <source>Nearest neighbour</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="25" />
            <source>Cubic</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="26" />
            <source>Average</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="34" />
            <source>Build factor stack</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="36" />
            <source>&lt;p&gt;Aligns every landslide conditioning factor on one grid and writes them as one multiband GeoTIFF: one band per factor, named after the factor, with one common nodata mask (a cell is valid only where every factor is).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Continuous factors&lt;/b&gt; (elevation, NDVI, rainfall...) are warped with the chosen resampling; &lt;b&gt;categorical factors&lt;/b&gt; (lithology, land use codes) always with nearest neighbour. Single-band rasters are named after the layer; multiband rasters contribute every band, named after the band descriptions.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Reference grid&lt;/b&gt;: a reference raster, or CRS + extent + cell size; by default the first factor's grid.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Derived factors&lt;/b&gt;: slope and aspect from a DEM (GDAL DEM tools; aspect is classed into 8 sectors plus flat by the frequency ratio), and the distance to rivers, roads and faults from vector layers (GDAL proximity).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Lithology polygons&lt;/b&gt; are rasterized by their unit field as the categorical factor 'lithology' (text units are numbered).&lt;/p&gt;&lt;p&gt;An optional study-area polygon masks everything outside it. The stack is written block by block, so memory does not grow with raster size.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="62" />
            <source>Continuous factors</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="63" />
            <source>Rasters of continuous factors (elevation, NDVI, rainfall, distances...). A single-band raster is named after its layer; a multiband raster adds every band, named after its band description.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="67" />
            <source>Categorical factors (e.g. lithology)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="69" />
            <source>Rasters of class codes (lithology, land use...): always resampled by nearest neighbour; the FR encoding classes them by their codes.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="72" />
            <source>Resampling of continuous factors</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="74" />
            <source>How continuous factors are resampled to the grid: bilinear (default) for smooth surfaces, average when the grid is coarser than the factor, nearest to keep the values as they are.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="78" />
            <source>DEM (to derive slope and aspect)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="79" />
            <source>An elevation raster: slope and aspect are derived from it on the stack's grid with GDAL's DEM tools. Add it to the continuous factors too for elevation itself.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="83" />
            <source>Derive slope from the DEM</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="84" />
            <source>Adds the factor 'slope', in degrees (needs the DEM).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="86" />
            <source>Derive aspect from the DEM</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="87" />
            <source>Adds the factor 'aspect', in degrees clockwise from north, -1 where flat (needs the DEM); the FR encoding classes it into 8 sectors plus flat.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="90" />
            <source>Lithology polygons (categorical)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="92" />
            <source>Polygons of the lithological units, rasterized by their unit field as the categorical factor 'lithology'.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="95" />
            <source>Lithology unit field</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="97" />
            <source>The field of the lithology polygons holding the unit: numeric codes are kept, text units are numbered (the mapping is kept in the band's metadata).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="101" />
            <source>Rivers (distance to)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="103" />
            <source>A river layer: the distance of every cell to the nearest river, in map units, becomes the factor 'dist_rivers' (GDAL proximity).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="106" />
            <source>Roads (distance to)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="108" />
            <source>A road layer: the distance of every cell to the nearest road, in map units, becomes the factor 'dist_roads' (GDAL proximity).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="111" />
            <source>Faults (distance to)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="113" />
            <source>A fault layer: the distance of every cell to the nearest fault, in map units, becomes the factor 'dist_faults' (GDAL proximity).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="116" />
            <source>Other layers to compute distances to</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="118" />
            <source>More file-based vector layers: the distance to each becomes a factor named dist_&lt;layer name&gt;.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="121" />
            <source>Study area (polygons; optional mask)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="123" />
            <source>Cells outside these polygons become nodata in every band.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="125" />
            <source>Reference grid raster (default: the first factor)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="127" />
            <source>The raster whose grid (CRS, extent, cell size) the stack takes; by default the first factor's grid.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="130" />
            <source>Grid CRS (instead of a reference raster)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="131" />
            <source>With the extent and the cell size: a grid of its own instead of a reference raster (all three are needed).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="134" />
            <source>Grid extent</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="135" />
            <source>The extent of a grid given by CRS (with the CRS and the cell size).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="138" />
            <source>Grid cell size (map units)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="140" />
            <source>The cell size of a grid given by CRS, in the CRS's units (e.g. 30 for 30 m cells in a UTM CRS).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="143" />
            <location filename="../processing/build_stack.py" line="213" />
            <location filename="../processing/importance.py" line="72" />
            <location filename="../processing/predict_lsi.py" line="55" />
            <source>Factor stack</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="144" />
            <source>A multiband Float32 GeoTIFF: one band per factor, named after it, with one common nodata mask (a cell is valid only where every factor is).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="147" />
            <source>Factor names</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="148" />
            <source>Valid cells</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="179" />
            <source>Choose the field of the lithology polygons that holds the unit codes or names.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/build_stack.py" line="191" />
            <source>A grid given by CRS needs all three: CRS, extent and cell size (or choose a reference raster instead).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="22" />
            <location filename="../processing/frequency_ratio.py" line="22" />
            <source>Natural breaks (Jenks)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="22" />
            <location filename="../processing/frequency_ratio.py" line="22" />
            <source>Equal interval</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="22" />
            <location filename="../processing/frequency_ratio.py" line="22" />
            <source>Quantile</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="23" />
            <source>Custom breaks</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="23" />
            <source>Landslide share (training landslides)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="25" />
            <source>All landslide samples</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="25" />
            <source>Validation landslides</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="26" />
            <source>Training landslides</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="32" />
            <source>Classify LSI into susceptibility zones</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="34" />
            <source>&lt;p&gt;Classes a landslide susceptibility index (LSI) raster, or any single band, into zones: very low, low, moderate, high and very high for five classes.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Method&lt;/b&gt;: natural breaks (Jenks, computed on a reproducible random sample of valid cells), equal interval, quantile, or custom breaks (the inner class boundaries, e.g. &lt;code&gt;0.2, 0.4, 0.6, 0.8&lt;/code&gt;), or landslide share.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Landslide share&lt;/b&gt;: the boundaries are set so that the zones from the top hold at least the given cumulative shares of the &lt;i&gt;training&lt;/i&gt; landslide samples (the samples layer is then required; validation landslides never set a boundary). Shares &lt;code&gt;50, 75, 90, 95&lt;/code&gt; give five zones named after the share band they hold: &lt;i&gt;Top 50 %&lt;/i&gt; (at least half of the training landslides), &lt;i&gt;50-75 %&lt;/i&gt;, &lt;i&gt;75-90 %&lt;/i&gt;, &lt;i&gt;90-95 %&lt;/i&gt; and &lt;i&gt;95-100 %&lt;/i&gt;; a last share of 100 leaves a zone &lt;i&gt;Rest&lt;/i&gt; with none. The number of classes is then the number of shares + 1. The zone table gives the training landslide % of each zone beside the landslide % of the samples counted (by default the validation landslides: an honest check).&lt;/p&gt;&lt;p&gt;With the samples (or an inventory), each zone also gets its share of the landslides and the landslide density: landslide % / area % (the frequency ratio of the zone). A good map concentrates landslides in the high zones.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Outputs&lt;/b&gt;: a Byte raster of zones 1..k (nodata 0), styled green to red, with a .qml style beside it; a table of the classes with their value range and area.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="62" />
            <location filename="../processing/predict_lsi.py" line="73" />
            <source>LSI raster</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="63" />
            <source>The landslide susceptibility index to class (0..1 from Predict LSI), or any raster with one band of values.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="67" />
            <source>Band</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="68" />
            <source>The band to class (default 1).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="70" />
            <source>Classing method</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="72" />
            <source>How the class boundaries are set: natural breaks (Jenks, the usual choice), equal interval, quantile (equal areas), custom breaks, or landslide share (set by the training landslides; needs the samples).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="76" />
            <source>Number of classes</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="78" />
            <source>2 to 12; 5 gives very low, low, moderate, high and very high. Not used by custom breaks or landslide share.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="81" />
            <source>Custom breaks (inner boundaries, comma-separated)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="83" />
            <source>For custom breaks: the inner class boundaries in LSI units, strictly increasing, e.g. 0.2, 0.4, 0.6, 0.8 for five classes.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="86" />
            <source>Landslide shares, % (cumulative from the top zone; landslide share method)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="89" />
            <source>For landslide share: the cumulative percentages of the training landslide samples the zones from the top hold at least, strictly increasing, above 0 and at most 100; 50,75,90,95 gives five zones.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="93" />
            <location filename="../processing/frequency_ratio.py" line="82" />
            <source>Sample size for natural breaks (cells)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="95" />
            <source>Natural breaks are computed on a seeded random sample of this many valid cells (100 to 50,000).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="99" />
            <source>Seed of the natural-breaks sample: the same seed gives the same breaks.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="102" />
            <source>Samples (landslide density per zone; required for landslide share)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="105" />
            <source>The samples of 'Prepare training samples' (fields label and split): each zone gets its share of the landslide samples and the landslide density; their training landslides set the landslide-share boundaries.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="109" />
            <source>Landslide samples counted</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="111" />
            <source>Which landslide samples the zone table counts: all, the validation ones (default: an honest check) or the training ones.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="114" />
            <source>Or a landslide inventory (all its cells)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="116" />
            <source>Instead of samples: landslide polygons or points, every cell of which counts in the zone table.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="119" />
            <location filename="../processing/classify_lsi.py" line="181" />
            <source>Susceptibility zones</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="120" />
            <source>A Byte raster of zones 1..k (nodata 0), styled green to red, with its .qml style beside it.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="123" />
            <source>Zone table</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="124" />
            <source>One row per zone: label, value range, cells and area %, and with samples or an inventory the landslide % and density (landslide % / area %).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="127" />
            <source>Class breaks</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="132" />
            <source>Custom breaks: give the inner class boundaries, e.g. '0.2, 0.4, 0.6, 0.8'.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/classify_lsi.py" line="135" />
            <source>Landslide share: give the samples layer (fields label and split, as 'Prepare training samples' writes it); its training landslides set the zone boundaries.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="21" />
            <source>Logistic regression</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="21" />
            <source>Random forest</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="21" />
            <source>RBF-SVM</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="22" />
            <source>Kernel logistic regression</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="24" />
            <source>Random (by landslide)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="25" />
            <source>Spatial: k-means clusters of the samples</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="26" />
            <source>Spatial: square blocks</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="28" />
            <source>All samples (both splits)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="28" />
            <source>Training samples only</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="30" />
            <source>Compact (3 values of C and gamma)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="31" />
            <source>As the Train algorithms (5 x 5)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="42" />
            <source>Assess models by cross-validation</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="45" />
            <source>&lt;p&gt;How well does each model map &lt;i&gt;new ground&lt;/i&gt;? Repeated k-fold cross-validation of the chosen model types under several partitionings of the samples: &lt;b&gt;random&lt;/b&gt; folds (by landslide: a landslide's cells stay in one fold), &lt;b&gt;spatial k-means&lt;/b&gt; folds (clusters of the sample coordinates) and &lt;b&gt;spatial blocks&lt;/b&gt; (square blocks dealt to the folds). Random folds put test cells next to training cells and flatter every model; spatial folds hold out whole areas and give the number to quote for mapping where no landslide was mapped.&lt;/p&gt;&lt;p&gt;With a &lt;b&gt;buffer&lt;/b&gt;, the training samples within that distance of a test fold's samples are left out of that fold's training set. Every training set tunes its own hyperparameters by an inner CV of the same kind (nested CV): the test fold never chooses them. All models see the same folds; each repetition draws new folds (seed + repetition).&lt;/p&gt;&lt;p&gt;Use the &lt;b&gt;raw&lt;/b&gt; factor stack: an FR-encoded stack was fitted on landslides that are test samples here, which makes every score optimistic (a warning says so).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Outputs&lt;/b&gt;: a table (model x partitioning: mean AUROC over the scored test folds, the standard deviation of the repetitions' means, and every repetition's mean), a box-plot figure (PNG or SVG), and a point layer of the samples with their fold in the first repetition under each partitioning, coloured by fold.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="72" />
            <location filename="../processing/frequency_ratio.py" line="56" />
            <source>Factor stack (raw)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="73" />
            <source>The factors to learn from, as 'Build factor stack' writes them: the raw stack (an FR-encoded stack makes every score optimistic).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="76" />
            <location filename="../processing/make_project.py" line="51" />
            <source>Samples</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="77" />
            <source>Labelled samples as 'Prepare training samples' writes them (label, landslide_id, split).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="80" />
            <source>Samples to use</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="81" />
            <source>All samples (the CV draws its own test folds), or only the training split (keeps the validation samples untouched for Evaluate).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="84" />
            <source>Models</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="86" />
            <source>The model types to assess, each tuned as its Train algorithm tunes it.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="88" />
            <source>Partitionings</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="90" />
            <source>How the samples are split into folds; compare random with a spatial one.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="92" />
            <source>Repetitions</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="94" />
            <source>How many times the folds are drawn anew; the spread of the repetitions' means says how much the estimate depends on the draw.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="97" />
            <location filename="../processing/crossvalidate.py" line="208" />
            <source>Folds</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="98" />
            <source>k of the k-fold CV: each repetition tests every sample once, in one of k folds (typically 5 or 10).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="101" />
            <source>Buffer around test folds (0 = none)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="103" />
            <source>Training samples within this distance of a test sample are left out of that fold's training set (in the stack's map units).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="106" />
            <source>Block size for spatial blocks (0 = automatic)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="108" />
            <source>Side of the square blocks, in the stack's map units; automatic splits the samples' extent into about 4 x folds blocks.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="111" />
            <source>Folds of the inner tuning CV</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="113" />
            <source>The inner CV that tunes each training set, of the same kind as the outer one.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="116" />
            <source>Hyperparameter grid</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="118" />
            <source>Compact: 3 values of C (and of gamma for SVM and KLR), fast; or the Train algorithms' own grid, about three times slower.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="122" />
            <source>The same seed draws the same folds and gives the same scores.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="125" />
            <source>CPU threads for the fits (1 to 64); the scores do not depend on it.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="128" />
            <source>Cross-validation table</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="129" />
            <source>One row per model and partitioning: mean AUROC over the scored test folds, the standard deviation of the repetitions' means, and every repetition's mean.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="133" />
            <source>Box-plot figure</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="135" />
            <source>Optional: box plots of the repetitions' AUROC per model and partitioning (PNG or SVG, by the file's extension).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="138" />
            <source>Fold map (first repetition)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="140" />
            <source>Optional: the samples as points with their fold (1..k) under each partitioning in the first repetition, coloured by the fold of a spatial one.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/crossvalidate.py" line="144" />
            <source>Mean AUROC per model and partitioning</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="22" />
            <source>0.5</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="22" />
            <source>Youden's J (chosen on the training samples)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="28" />
            <source>Evaluate susceptibility maps</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="31" />
            <source>&lt;p&gt;Compares LSI rasters on the validation samples (split = validation): TP, TN, FP, FN, accuracy, precision, sensitivity, specificity, F1, Cohen's kappa and AUROC, with the ROC curve of each map. A cell counts as predicted landslide when its LSI is at least the threshold: 0.5, or Youden's J chosen on the training samples (never on the validation samples it is applied to).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Calibration&lt;/b&gt;: the Brier score (mean squared difference between the LSI and the 0/1 label of the validation samples; 0 is perfect, 0.25 is what a constant 0.5 scores; lower is better) and a reliability diagram: the validation samples in 10 equal LSI bins (0-0.1 ... 0.9-1), with each bin's mean LSI, observed share of landslides and number of samples (bins without samples left out). A map whose LSI reads as a probability lies on the diagonal. Both read the LSI as a probability, so they are left out (with a warning) for values outside 0..1. Note that with as many non-landslide as landslide samples, the observed share is that of the samples, not of the landscape.&lt;/p&gt;&lt;p&gt;Training and map times come from the rasters' metadata (written by the Train and Predict algorithms). Optional success-rate (training landslides) and prediction-rate (validation landslides) curves rank the whole map by LSI.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Explanation files&lt;/b&gt; (optional, from 'Factor importance and response curves') are kept with the maps of their models: the report and the dock show them.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Outputs&lt;/b&gt;: the metrics table, a results file (JSON) that the comparison dock and the report read, and an optional ROC figure (PNG or SVG; with the reliability diagram beside the ROC curves). The results file also keeps each model's parameters as its model file gives them (hyperparameters, CV score, factors, training samples and time, FR encoding) and this evaluation's own parameters, so the report shows them even after the model files are gone.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="65" />
            <source>LSI rasters</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="66" />
            <source>One or more LSI rasters (0..1) of Predict LSI or a Train algorithm: each is one model in the table, the ROC figure and the comparison dock.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="69" />
            <location filename="../processing/importance.py" line="76" />
            <source>Samples (with the validation split)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="71" />
            <source>The samples of 'Prepare training samples': the metrics use the validation split (split = validation), Youden's threshold the training split.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="74" />
            <source>Threshold</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="76" />
            <source>A cell is predicted landslide when its LSI is at least this: 0.5, or Youden's J (the threshold maximising sensitivity + specificity - 1 on the training samples, never on the validation samples).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="80" />
            <source>Zone rasters of these maps (for the dock)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="82" />
            <source>The zone rasters of 'Classify LSI' for these LSI rasters, so that the comparison dock and the project can load them with their maps.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="85" />
            <source>Success- and prediction-rate curves</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="86" />
            <source>Also rank the whole map by LSI: the share of training (success rate) and validation (prediction rate) landslides against the share of the area, with the area under each curve.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="90" />
            <source>Explanation files (factor importance and response curves)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="92" />
            <source>Files written by 'Factor importance and response curves'; each is kept in the results with the map of its model (matched by model file), so the report and the comparison dock show its importance chart and response curves.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="97" />
            <source>Metrics table</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="98" />
            <source>One row per map: TP, TN, FP, FN, accuracy, precision, sensitivity, specificity, F1, kappa, AUROC, Brier score, threshold, training and map time.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="102" />
            <source>Results file (for the comparison dock)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="104" />
            <source>The metrics, ROC points, reliability diagrams and each model's parameters as JSON: the comparison dock, the report and 'Create susceptibility project' read it.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="108" />
            <source>Metrics table (CSV)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="108" />
            <location filename="../processing/frequency_ratio.py" line="99" />
            <location filename="../processing/importance.py" line="121" />
            <location filename="../processing/multicollinearity.py" line="62" />
            <source>CSV files (*.csv)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="110" />
            <source>Optional: the metrics table as a CSV file.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="112" />
            <source>ROC figure</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="114" />
            <source>Optional: the ROC curves with the reliability diagram beside them (and the rate curves), as PNG or SVG.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/evaluate.py" line="118" />
            <source>Model with the best AUROC</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="28" />
            <source>Frequency ratio (FR) encoding</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="30" />
            <source>&lt;p&gt;Classes each factor of a raw factor stack and computes its frequency ratio per class: FR = (% of training landslide cells in the class) / (% of study-area cells in the class). Only training landslides count (split = train), so validation cells never inform the encoding. FR &amp;gt; 1 means the class is more prone to landslides than average; a class without landslides, or without area, has FR 0.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Classing&lt;/b&gt;: continuous factors by natural breaks (Jenks, on a seeded random sample of valid cells), equal interval or quantile; categorical factors by their codes; aspect in 8 sectors plus flat. Override per factor with lines like &lt;code&gt;slope:quantile:6&lt;/code&gt;, &lt;code&gt;elev:custom:500,1000,1500&lt;/code&gt;, &lt;code&gt;lithology:categories&lt;/code&gt;, separated by ';'.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Outputs&lt;/b&gt;: the FR table (factor, class, range or category, area %, landslide %, FR) as a table layer and a CSV, and the FR-encoded stack, where each cell holds the FR of its class (the input of SVM, KLR and the other models).&lt;/p&gt;&lt;p&gt;&lt;b&gt;FR chart&lt;/b&gt; (optional, PNG or SVG): the table as the figure of FR studies, one panel per factor: the FR of each class as a bar (above the dashed line FR = 1 the class holds more landslides than its area would), and beneath it the class's share of the area and of the training landslide cells. Needs the Python package matplotlib.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="57" />
            <source>The raw factor stack of 'Build factor stack'; each band is classed and encoded.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="60" />
            <location filename="../processing/multicollinearity.py" line="45" />
            <location filename="../processing/prepare_samples.py" line="126" />
            <location filename="../processing/prepare_samples.py" line="132" />
            <location filename="../processing/prepare_samples.py" line="172" />
            <location filename="../processing/train_lsnet.py" line="82" />
            <location filename="../processing/training.py" line="83" />
            <source>Training samples</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="61" />
            <source>The samples of 'Prepare training samples': only the training landslides (label 1, split = train) count, so validation cells never inform the encoding.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="65" />
            <source>Classing of continuous factors</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="67" />
            <source>How continuous factors are classed: natural breaks (Jenks, the usual choice), equal interval or quantile. Categorical factors are classed by their codes, aspect into 8 sectors plus flat.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="71" />
            <source>Classes per continuous factor</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="73" />
            <source>2 to 30 (default 8): more classes follow a factor more closely but hold fewer landslides each.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="76" />
            <source>Per-factor classing (e.g. slope:quantile:6; elev:custom:500,1000)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="78" />
            <source>Overrides for single factors, separated by ';': factor:method:classes (e.g. slope:quantile:6), factor:custom:breaks (e.g. elev:custom:500,1000,1500) or factor:categories.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="84" />
            <source>Natural breaks and quantiles are computed on a seeded random sample of this many valid cells (100 to 50,000).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="88" />
            <source>Seed of that sample: the same seed gives the same classes.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="91" />
            <location filename="../processing/frequency_ratio.py" line="170" />
            <source>FR-encoded stack</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="92" />
            <source>The stack with every cell holding the FR of its class (the input of SVM, KLR and the other models); the encoding is stored in its metadata.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="95" />
            <location filename="../processing/report.py" line="57" />
            <source>FR table</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="96" />
            <source>One row per factor class: range or category, area cells and %, landslide cells and %, FR (above 1: more landslides than its area would hold).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="99" />
            <source>FR table (CSV)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="101" />
            <source>Optional: the FR table as a CSV file.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="103" />
            <source>FR chart (bars per class)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="105" />
            <source>Optional: one panel per factor with the FR of each class as a bar and the class's share of the area and of the landslides beneath (PNG or SVG; needs matplotlib).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/frequency_ratio.py" line="109" />
            <source>Encoding fingerprint</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="28" />
            <source>Factor importance and response curves</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="30" />
            <source>&lt;p&gt;Explains a model: which factors drive it, and how its susceptibility responds to each factor. Works for every model type (SVM, KLR, logistic regression, random forest, ensembles, and LSNet in its worker).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Permutation importance&lt;/b&gt;: the drop of the AUROC on the &lt;i&gt;validation&lt;/i&gt; samples when one factor's values are shuffled among the samples (the link between that factor and the label broken, the others kept), repeated with new shuffles from the seed: mean and spread. A factor near zero (or below) carries no signal the model uses. Factors that are correlated share their importance: shuffling one leaves the other to carry the signal, so both can look less important than they are (check the VIF table). For LSNet, a factor's whole channel group (all one-hot channels of a category, both aspect channels) is shuffled across the patches.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Response curves&lt;/b&gt; (partial dependence): the model's mean P(landslide) over the training samples with one factor set to each value of a grid (quantiles of its training values, or its categories) and the others as they are, with the training distribution of landslide and other samples beside it: where the training values are sparse, the curve is an extrapolation. A model trained on an FR-encoded stack and given the raw stack shows the raw values (it applies its FR encoding); given the FR-encoded stack, the FR values. For LSNet a value is set across the whole patch.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Outputs&lt;/b&gt;: the importance table, an explanation file (JSON) for 'Evaluate susceptibility maps' (parameter 'Explanation files': the report and the comparison dock then show importance and curves), and optional figures (bar chart; response curves).&lt;/p&gt;&lt;p&gt;Cost: each factor and repeat predicts every sample once; large sample sets are subsampled (seeded, keeping the landslide share). LSNet uses at most {max_importance} validation and {max_response} training patches.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="69" />
            <location filename="../processing/predict_lsi.py" line="50" />
            <location filename="../processing/training.py" line="149" />
            <source>Model file</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="70" />
            <location filename="../processing/predict_lsi.py" line="51" />
            <source>Landslide LSM models (*.lsmodel *.keras)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="71" />
            <source>A model written by a Train algorithm (.lsmodel, or .keras for LSNet).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="73" />
            <source>The stack the model was trained on (an FR model also accepts the raw stack: its curves then show raw values).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="78" />
            <source>The samples layer of 'Prepare training samples': importance is measured on its validation samples, response curves average over its training samples.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="82" />
            <source>Repeats (shuffles per factor)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="84" />
            <source>How many times each factor is shuffled (1 to 100; 5 is usual); the spread of the drops shows how stable its importance is.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="88" />
            <source>The same seed gives the same shuffles and the same importance.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="90" />
            <source>Maximum validation samples (0 = all)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="92" />
            <source>Importance on at most this many validation samples (a seeded subset that keeps the landslide share). LSNet: at most {} patches.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="96" />
            <source>Training samples for the response curves</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="98" />
            <source>The curves average the model's response over this many training samples (a seeded subset). LSNet: at most {} patches.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="102" />
            <source>Points per response curve</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="104" />
            <source>Values of a continuous factor the curve is computed at (quantiles of its training values); categories are all shown.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="107" />
            <source>Model name (default: the model file's)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="108" />
            <source>The name in the table, the figures and the report.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="110" />
            <source>Importance table</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="111" />
            <source>One row per factor, most important first: rank, mean drop of the validation AUROC when the factor is shuffled, and its standard deviation over the repeats.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="115" />
            <source>Explanation file (for Evaluate and the report)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="117" />
            <source>The importance and response curves as JSON: give it to 'Evaluate susceptibility maps' (Explanation files) so that the report and the comparison dock show them.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="121" />
            <source>Importance table (CSV)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="123" />
            <source>Optional: the importance table as a CSV file.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="125" />
            <source>Importance bar chart</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="127" />
            <source>Optional: the drops of the AUROC as bars with their spread (PNG or SVG).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="129" />
            <source>Response curves figure</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="131" />
            <source>Optional: one panel per factor, the model's mean P(landslide) against the factor's value, over the training distribution (PNG or SVG).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="134" />
            <source>Most important factor</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/importance.py" line="136" />
            <source>Validation AUROC (unpermuted)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/make_project.py" line="29" />
            <source>Create susceptibility project (.qgz)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/make_project.py" line="31" />
            <source>&lt;p&gt;Writes a QGIS project that opens with the run's layers styled: for every model of an evaluation its LSI map (green to red) and zone map (very low .. very high), grouped by model, plus the samples, the landslide inventory and any other layers given. Layer paths are stored relative to the project, so the folder can be moved as a whole.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/make_project.py" line="46" />
            <location filename="../processing/report.py" line="52" />
            <source>Results file (from Evaluate)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/make_project.py" line="48" />
            <source>The results file of 'Evaluate susceptibility maps': every model's LSI and zone maps go into the project, one group per model.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/make_project.py" line="52" />
            <source>Optional: the samples layer, styled by label and split.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/make_project.py" line="54" />
            <location filename="../processing/sample_area.py" line="40" />
            <location filename="../processing/sample_area.py" line="74" />
            <source>Landslide inventory</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/make_project.py" line="56" />
            <source>Optional: the landslide inventory, drawn in translucent red.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/make_project.py" line="58" />
            <source>Other layers (rasters load with their .qml style if any)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/make_project.py" line="60" />
            <source>Optional: more layers for the project's Data group (factor rasters, the study area...), with their own style.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/make_project.py" line="63" />
            <source>QGIS project</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/make_project.py" line="63" />
            <source>QGIS projects (*.qgz)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/make_project.py" line="64" />
            <source>The project file (.qgz); layer paths are stored relative to it, so the folder can be moved as a whole.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/multicollinearity.py" line="26" />
            <source>Multicollinearity (VIF / TOL)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/multicollinearity.py" line="28" />
            <source>&lt;p&gt;Checks the factors for multicollinearity on the training samples (both classes): for each factor, VIF = 1 / (1 - R²) and tolerance TOL = 1 - R², where R² is from the least-squares regression of that factor on all the others. A factor is flagged when VIF &amp;gt; 10 or TOL &amp;lt; 0.1 (the thresholds are parameters).&lt;/p&gt;&lt;p&gt;A constant factor, or one that is an exact linear combination of others, has an infinite VIF; the log names the factors involved. Works on the raw or the FR-encoded stack.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/multicollinearity.py" line="42" />
            <source>Factor stack (raw or FR-encoded)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/multicollinearity.py" line="43" />
            <source>The factors to check: the raw stack or the FR-encoded one.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/multicollinearity.py" line="46" />
            <source>The samples of 'Prepare training samples': the factors' values at the training samples (both classes) are regressed on each other.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/multicollinearity.py" line="49" />
            <source>Flag VIF above</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/multicollinearity.py" line="50" />
            <source>A factor whose variance inflation factor VIF = 1 / (1 - R²) exceeds this is flagged (10 is the usual limit; 5 is stricter).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/multicollinearity.py" line="53" />
            <source>Flag TOL below</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/multicollinearity.py" line="55" />
            <source>A factor whose tolerance TOL = 1 - R² is below this is flagged (0.1 is the usual limit, the same as VIF 10).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/multicollinearity.py" line="58" />
            <location filename="../processing/report.py" line="61" />
            <source>VIF table</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/multicollinearity.py" line="59" />
            <source>One row per factor: VIF, TOL, R², whether it is flagged, and a note for constant or collinear factors.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/multicollinearity.py" line="62" />
            <source>VIF table (CSV)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/multicollinearity.py" line="64" />
            <source>Optional: the VIF table as a CSV file.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/multicollinearity.py" line="65" />
            <source>Flagged factors</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/predict_lsi.py" line="22" />
            <source>Predict LSI (susceptibility map)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/predict_lsi.py" line="24" />
            <source>&lt;p&gt;Applies a model file to a factor stack and writes the landslide susceptibility index (LSI): a Float32 raster of P(landslide), 0..1, with the stack's nodata kept, styled green to red.&lt;/p&gt;&lt;p&gt;The stack's bands must be the model's factors in the same order; a stack with other bands is refused with a message saying which. A model trained on an FR-encoded stack accepts that stack, or the raw stack (it applies its own FR encoding). LSNet models (.keras) are mapped in the LSNet worker process.&lt;/p&gt;&lt;p&gt;A model trained with an &lt;b&gt;ensemble&lt;/b&gt; ('Ensemble for uncertainty maps' of the Train algorithms) is mapped as the mean LSI of its members, and the optional second output gets their standard deviation: the &lt;b&gt;uncertainty map&lt;/b&gt; (light: the members agree; dark purple: they differ).&lt;/p&gt;&lt;p&gt;The map is computed window by window on several threads, with progress and cancel; a canceled run leaves no file. &lt;b&gt;Dask scheduler&lt;/b&gt; (advanced): the same windows on a Dask cluster ('local:N' for N local worker processes, or a scheduler's address), with the same map; see the README's 'Country scale'.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Area of applicability&lt;/b&gt; (advanced, optional): the mask written by 'Area of applicability' for this stack and the model's samples. Cells outside it (0: factor combinations unlike any the model was trained on, where it extrapolates) become nodata in the LSI and in its standard deviation; the log says how many.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/predict_lsi.py" line="52" />
            <source>A model written by a Train algorithm: .lsmodel (SVM, KLR, logistic regression, random forest) or .keras (LSNet, mapped in its worker).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/predict_lsi.py" line="56" />
            <source>The stack to map: its bands must be the model's factors in the same order (an FR model also takes the raw stack and applies its encoding).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/predict_lsi.py" line="59" />
            <source>Name of the map (default: the model's name)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/predict_lsi.py" line="60" />
            <source>The name in the raster's metadata, the layer name and the legends of Evaluate and the report.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/predict_lsi.py" line="64" />
            <source>Windows of the map computed at the same time (1 to 64); the map does not depend on it.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/predict_lsi.py" line="67" />
            <source>Area of applicability mask (cells outside become nodata)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/predict_lsi.py" line="69" />
            <source>The mask (1 inside, 0 outside) written by 'Area of applicability' for this stack: the map is left empty (nodata) where the model extrapolates.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/predict_lsi.py" line="74" />
            <source>The landslide susceptibility index: Float32, P(landslide) from 0 to 1, nodata where the stack has none, styled green to red.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/predict_lsi.py" line="77" />
            <source>Standard deviation of the LSI (models with an ensemble)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/predict_lsi.py" line="79" />
            <source>The spread of the ensemble members' LSI in every cell: the uncertainty map. Only for models trained with an ensemble.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/predict_lsi.py" line="82" />
            <source>Map time (s)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/predict_lsi.py" line="99" />
            <source>LSNet models have no ensemble: leave the standard-deviation output empty.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="20" />
            <source>All cells of each landslide polygon</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="21" />
            <source>One cell per landslide (centroid)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="22" />
            <source>A fixed number of random cells per landslide</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="24" />
            <source>Random, by landslide</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="24" />
            <source>Spatial blocks</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="30" />
            <source>Prepare training samples</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="32" />
            <source>&lt;p&gt;Makes the training and validation samples: one point per sampled cell of the factor stack, with the fields &lt;code&gt;label&lt;/code&gt; (1 landslide, 0 not), &lt;code&gt;landslide_id&lt;/code&gt; (-1 for non-landslide cells), &lt;code&gt;split&lt;/code&gt; (&lt;code&gt;train&lt;/code&gt; / &lt;code&gt;validation&lt;/code&gt;) and &lt;code&gt;fold&lt;/code&gt; (cross-validation fold 1..k of training samples; 0 for validation samples).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Landslide cells&lt;/b&gt;: all cells of each polygon, one cell per landslide, or a fixed number per polygon; points give their cell. Polygons too small to cover a cell centre still give one cell.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Non-landslide cells&lt;/b&gt;: random valid cells outside the landslides and outside an optional buffer, as many as the landslide cells times the ratio.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Split&lt;/b&gt;: by landslide (whole landslides go to one side, never both), at random with the seed, or by spatial blocks of the given size (whole blocks go to one side; 0, the default, takes a fifth of the landslides' extent, so that a handful of large blocks is held out rather than many small ones interleaved with training blocks). The log states the median distance from a validation landslide to the nearest training landslide: how independent the validation is.&lt;/p&gt;&lt;p&gt;Each cell is sampled once: where landslides overlap, or points share a cell, the cell belongs to one of them; the non-landslide cells are exactly the landslide cells times the ratio (or the log says why not, with the counts).&lt;/p&gt;&lt;p&gt;With a &lt;b&gt;label field&lt;/b&gt;, the inventory is an already labelled point layer (1 landslide, 0 not): its points are only split and given folds.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="62" />
            <source>Landslide inventory (polygons or points)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="64" />
            <source>The mapped landslides, polygons or points, in any CRS (reprojected to the stack's).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="67" />
            <source>Factor stack (grid and valid cells)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="68" />
            <source>The stack of 'Build factor stack': samples are its cells, and only cells valid in every band are sampled.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="71" />
            <source>Label field (only for an already labelled point layer)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="73" />
            <source>For a point layer that is already labelled (1 landslide, 0 not): its points are only split and given folds. Leave empty for an inventory.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="76" />
            <source>Landslide id field (default: feature id)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="78" />
            <source>A field identifying each landslide: features with the same id are one landslide (kept on one side of the split). Default: every feature is one.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="82" />
            <location filename="../processing/prepare_samples.py" line="129" />
            <source>Landslide cells</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="83" />
            <source>Which cells of a landslide are samples: all cells of each polygon (default), one cell per landslide, or a fixed number of random cells per polygon. Points give their own cell.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="87" />
            <source>Cells per landslide (fixed number option)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="89" />
            <source>For 'A fixed number of random cells per landslide': how many (default 5).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="91" />
            <source>Non-landslide cells per landslide cell</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="93" />
            <source>How many non-landslide cells are drawn per landslide cell: 1 (default) gives balanced classes.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="96" />
            <source>Buffer around landslides without non-landslide cells</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="98" />
            <source>No non-landslide cell is drawn within this distance of a landslide, in the stack's map units (default 0: none).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="101" />
            <source>Training/validation split</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="103" />
            <source>Random by landslide (whole landslides go to one side, never both), or by spatial blocks (whole blocks go to one side: a harder, more honest test).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="106" />
            <source>Spatial block size (spatial-block split; 0 = a fifth of the landslides' extent)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="109" />
            <source>Side of the square blocks in the stack's map units; 0 takes a fifth of the landslides' extent, so that a few large blocks are held out.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="112" />
            <source>Validation share (%)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="114" />
            <source>The share of the landslides (and of the other samples) held out for validation, in percent (default 30: a 70/30 split).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="117" />
            <source>Cross-validation folds</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="119" />
            <source>The training samples are dealt to this many folds (field fold), whole landslides or blocks each, for the Train algorithms' cross-validation (default 10).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="124" />
            <source>The same seed gives the same cells, split and folds.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="127" />
            <source>One point per sampled cell with the fields label, landslide_id, split and fold, loaded styled (landslides red, validation samples hollow).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="131" />
            <source>Non-landslide cells</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="134" />
            <source>Validation samples</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/prepare_samples.py" line="136" />
            <source>Cross-validation folds used</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/provider.py" line="28" />
            <source>Landslide susceptibility</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/provider.py" line="31" />
            <source>Landslide susceptibility (Landslide LSM {})</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/provider.py" line="52" />
            <source>Python for LSNet (an interpreter with TensorFlow; empty: LANDSLIDE_LSM_PYTHON or automatic)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/provider.py" line="56" />
            <source>Dask scheduler for the raster stages ('local:N' for N local worker processes, or tcp://host:8786; empty: LANDSLIDE_LSM_SCHEDULER or this process)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/provider.py" line="82" />
            <source>Could not load the workflow {}</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/report.py" line="21" />
            <source>Susceptibility report (HTML)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/report.py" line="24" />
            <source>&lt;p&gt;Writes one self-contained HTML file (maps and figures embedded, nothing else to carry around) from the outputs of a run: the metrics table with the best value of each metric marked, the ROC (and rate) curves, the LSI and zone maps of every model with their legends, the FR and VIF tables, and the models' parameters, cross-validation scores and run times.&lt;/p&gt;&lt;p&gt;Every parameter of the run is in it: each model's hyperparameters, CV scheme and score, factors, training samples and FR encoding (as Evaluate recorded them from the model files, so they stay even when the model files are gone), the evaluation's parameters, and this algorithm's own.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Results file&lt;/b&gt;: the JSON written by 'Evaluate susceptibility maps'. The FR and VIF tables are optional.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Factor importance and response curves&lt;/b&gt;: when the results hold them (give the file of 'Factor importance and response curves' to Evaluate), the report shows each model's permutation importance (bars and a table of the drops of the validation AUROC, their SD and rank) and its response curves (partial dependence) over the training distribution. With an FR table it adds the FR bar chart of each factor's classes.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Area of applicability rasters&lt;/b&gt; (optional): the dissimilarity and/or mask rasters from 'Area of applicability'. Each is mapped (the dissimilarity index with its threshold marked, or the mask with the outside shaded) with its threshold, the share of the area inside, the training samples and the factor weights. Any other raster is refused.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/report.py" line="54" />
            <source>The results file (JSON) written by 'Evaluate susceptibility maps': the metrics, curves, maps and parameters of every model.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/report.py" line="58" />
            <source>Optional: the FR table of 'Frequency ratio (FR) encoding', shown as a table and as the FR bar chart of each factor.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/report.py" line="62" />
            <source>Optional: the VIF table of 'Multicollinearity (VIF / TOL)'.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/report.py" line="64" />
            <source>Area of applicability rasters (dissimilarity index and/or mask)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/report.py" line="67" />
            <source>Optional: the dissimilarity index and/or mask written by 'Area of applicability'; each is mapped with its threshold and the share of the area inside. Other rasters are refused.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/report.py" line="71" />
            <source>Title</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/report.py" line="72" />
            <source>The report's title, at its top and in the browser's tab.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/report.py" line="74" />
            <source>Report</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/report.py" line="74" />
            <source>HTML files (*.html)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/report.py" line="75" />
            <source>One self-contained HTML file (maps and figures embedded) that any browser opens.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/report.py" line="92" />
            <source>'{}' is not a file-based raster (provider {}); give the files that 'Area of applicability' wrote.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="17" />
            <source>Small (256 x 256 cells, for trying things out)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="18" />
            <source>Paper scale (1224 x 1224 = 1.5 million cells of 30 m)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="20" />
            <source>The paper's: few landslides of about ten cells (about 270 at paper scale)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="22" />
            <source>Realistic: many landslides of tens to hundreds of cells, some overlapping (about 2,000 at paper scale: every cell sampled gives about 140,000 samples)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="34" />
            <source>DEM</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="34" />
            <source>NDVI</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="34" />
            <source>Rainfall</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="35" />
            <source>Known susceptibility process</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="36" />
            <source>Slope</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="36" />
            <source>Aspect</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="37" />
            <source>Distance to rivers</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="37" />
            <source>Distance to roads</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="38" />
            <source>Distance to faults</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="38" />
            <source>Lithology</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="39" />
            <source>Rivers</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="39" />
            <source>Roads</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="39" />
            <source>Faults</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="40" />
            <source>Study area</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="45" />
            <source>Create sample study area</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="47" />
            <source>&lt;p&gt;Writes a complete synthetic study area to try the workflow on, generated by seeded code (the same seed always gives the same area): a DEM with fractal relief carved by a river network, NDVI, a rainfall gradient, lithology polygons with 8 units, rivers, roads and faults as line layers, the study-area outline, and a landslide inventory of polygons drawn from a known susceptibility process (slope, lithology, distances to rivers, faults and roads, rainfall, NDVI, aspect and hollows). The process itself is written as 'Known susceptibility process', to see how well models recover it.&lt;/p&gt;&lt;p&gt;Slope, aspect and the distances to rivers, roads and faults are written as rasters too, derived exactly as 'Build factor stack' derives them (GDAL DEM tools and GDAL proximity), so they can be used as factor rasters directly.&lt;/p&gt;&lt;p&gt;Grid: UTM zone 49N, 30 m cells; small (65 thousand cells) or the paper's scale (1.5 million cells, about 270 landslides).&lt;/p&gt;&lt;p&gt;&lt;b&gt;Landslide inventory&lt;/b&gt;: the paper's (a few hundred landslides of about ten cells) or a realistic one, as analysts map them: about 2,000 landslides at the paper's scale (120 on the small grid), of tens to hundreds of cells each, some overlapping. Sampling every cell of a realistic inventory gives tens of thousands of training samples: the workload the training algorithms are built and benchmarked for.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="70" />
            <source>Size</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="71" />
            <source>Small: 256 x 256 cells of 30 m, written in seconds; paper scale: 1224 x 1224 cells (1.5 million), the size of the study the plugin follows.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="76" />
            <source>The paper's: few small landslides; realistic: many landslides of tens to hundreds of cells, some overlapping, as analysts map them.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="80" />
            <source>The same seed always gives the same area.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="82" />
            <source>Folder for the sample study area</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/sample_area.py" line="83" />
            <source>The folder the rasters (GeoTIFF) and vector layers (GeoPackage) are written to; every layer is loaded when the run ends.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_klr.py" line="13" />
            <source>Train KLR (kernel logistic regression)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_klr.py" line="16" />
            <source>&lt;p&gt;Trains a kernel logistic regression: the penalised logistic loss on RBF kernel features. Up to the kernel size limit (default 1,000) every training sample is a kernel centre, which is the exact kernel; above it a Nystroem approximation with that many centres keeps memory and time bounded (the search ranks C and gamma on at most 300 centres per fold). Every C of the grid is fitted from scratch. C (inverse penalty) and gamma are chosen by cross-validation as for the SVM. The LSI is the predicted probability, calibrated by the logistic loss itself.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_klr.py" line="29" />
            <source>Exact kernel up to this many samples (Nystroem above)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_klr.py" line="31" />
            <source>Up to this many training samples every sample is a kernel centre (the exact kernel); above it a Nystroem approximation with this many centres bounds memory and time (50 to 20,000).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_logistic.py" line="12" />
            <source>Train logistic regression</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_logistic.py" line="14" />
            <source>&lt;p&gt;Trains an L2-penalised logistic regression, the classic baseline of susceptibility studies. The penalty C is chosen on a log grid by cross-validation.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_logistic.py" line="20" />
            <location filename="../processing/training.py" line="254" />
            <source>C, smallest</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_logistic.py" line="21" />
            <source>The smallest C (inverse penalty) of the log grid: a small C gives a strongly penalised, smooth model.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_logistic.py" line="24" />
            <location filename="../processing/training.py" line="258" />
            <source>C, largest</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_logistic.py" line="25" />
            <source>The largest C of the log grid: a large C gives an almost unpenalised model.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_logistic.py" line="28" />
            <location filename="../processing/training.py" line="262" />
            <source>C, values (log grid)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_logistic.py" line="30" />
            <source>How many values of C, spaced evenly on a log scale from the smallest to the largest (1 to 30; default 7: 0.001, 0.01 ... 1000).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="30" />
            <source>Train LSNet (multi-channel CNN)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="32" />
            <source>&lt;p&gt;Trains LSNet, the convolutional network of Zhang et al. (2022), on patches of the &lt;b&gt;raw&lt;/b&gt; factor maps centred on the training cells: a 5x5 convolution then four 3x3 ones (64, 128, 128, 256, 256 feature maps times &lt;i&gt;width&lt;/i&gt;), each with batch normalisation, ReLU and 2x2 max pooling, then fully connected layers of 1024, 256 and 128 units (times &lt;i&gt;width&lt;/i&gt;) and 2 softmax outputs; Adam.&lt;/p&gt;&lt;p&gt;Continuous factors are standardised with statistics of the training patches, categorical ones one-hot encoded, aspect turned into its east/north components; all stored with the model. Patches are flipped and rotated during training (augmentation). A part of the training cells (whole landslides) is held out for early stopping; the validation split is never seen.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Centre-cell skip&lt;/b&gt; (on by default, off with the paper settings): the centre cell's own channels join the pooled features at the first dense layer. Pooling keeps what is around a cell but blurs the cell itself. docs/lsnet-choices.md compares the window, width, learning rate and this skip on two data sets.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Window&lt;/b&gt;: with 'valid' convolutions the five stages need 96 + 32k cells; 96 is the default (the paper found 96 to 256 equally accurate). &lt;b&gt;Width&lt;/b&gt; scales every layer: 1 is the paper's network, 0.25 the default that trains in minutes on a CPU. 'Paper settings' uses window 224, width 1, no centre skip, learning rate 1e-4 and up to 600 epochs (a GPU is advised). The default learning rate, 1e-3, converges in tens of epochs instead of hundreds. Early stopping keeps the epoch with the best AUROC on the held-out training landslides.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Bounded by default&lt;/b&gt;: at most 5,000 training samples (a share of every landslide's cells: every patch is held in memory), 2,000 patches per epoch (a new random draw each epoch, so every sample is seen over the epochs), and 8 minutes of training; training also stops at the maximum epochs or after 'patience' epochs without a better early-stopping AUROC, and keeps the best epoch. The log says which limit stopped it. On a GPU, or for the paper's settings, raise or clear (0) these limits.&lt;/p&gt;&lt;p&gt;TensorFlow runs only in a separate worker process (never inside QGIS), with the Python set in Options &gt; Processing &gt; Providers &gt; Landslide susceptibility, else the LANDSLIDE_LSM_PYTHON environment variable, else the first Python found that imports TensorFlow (each is checked by importing it). It uses a GPU when its TensorFlow sees one. Cancel stops it at once and leaves no file.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Outputs&lt;/b&gt;: the model (.keras, with a .keras.json sidecar holding the preprocessing), the training history, and optionally the LSI raster.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="78" />
            <source>Factor stack (raw, not FR-encoded)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="79" />
            <source>The raw factor stack of 'Build factor stack': LSNet learns from patches of the factor maps themselves.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="83" />
            <source>The samples of 'Prepare training samples': a patch is cut around every training cell (split = train); validation samples are never seen.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="86" />
            <source>Paper settings (window 224, width 1, up to 600 epochs)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="88" />
            <source>Zhang et al. (2022) as published: window 224, width 1, no centre skip, learning rate 1e-4, up to 600 epochs of every patch. Overrides those parameters; a GPU is advised.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="92" />
            <source>Window (cells)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="93" />
            <source>The side of the square patch around each cell, in cells (96 + 32k). The paper found 96 to 256 equally accurate; 96 is the fastest.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="96" />
            <source>Width (1 = the paper's layer sizes)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="98" />
            <source>Scales the number of feature maps and units of every layer: 1 is the paper's network, 0.25 (default) trains in minutes on a CPU.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="101" />
            <source>Maximum epochs</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="103" />
            <source>Training stops after this many epochs at the latest (default 100), and keeps the best one.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="106" />
            <source>Early stopping patience (epochs)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="108" />
            <source>Training stops when the AUROC on the held-out training landslides has not improved for this many epochs (default 20).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="111" />
            <source>Batch size</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="112" />
            <source>Patches per gradient step (default 32); larger batches need more memory.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="115" />
            <source>Seed of the sample subset, the early-stopping hold-out, the weights and the patch draws.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="118" />
            <source>Learning rate (Adam; the paper's 1e-4 with paper settings)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="120" />
            <source>Adam's step size: 0.001 (default) converges in tens of epochs; the paper's 0.0001 needs hundreds.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="123" />
            <source>Centre-cell skip (the centre cell's values join the dense layers)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="125" />
            <source>The centre cell's own factor values join the pooled features at the first dense layer (pooling blurs the cell itself). Off in the paper's network.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="129" />
            <source>Augment with flips and rotations</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="130" />
            <source>Flip and rotate the training patches at random each epoch, so the network does not learn one orientation of the terrain.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="133" />
            <source>Dropout after the first two dense layers</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="135" />
            <source>The share of units dropped at random during training after the first two dense layers (0 to 0.9, default 0.5), against overfitting.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="139" />
            <source>Maximum training samples (a share of every landslide's cells; every patch is held in memory; 0 = all)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="142" />
            <source>At most this many training samples, a seeded share of every landslide's cells: every patch is held in memory (0 = all).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="145" />
            <source>Patches per epoch (a new random draw each epoch; 0 = all)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="147" />
            <source>Each epoch trains on this many patches drawn anew, so every sample is seen over the epochs (0 = every patch every epoch).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="150" />
            <source>Time budget for training (minutes; 0 = none)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="152" />
            <source>Training stops once this many minutes of epochs have passed and keeps the best epoch so far (0 = no limit); the log says which limit stopped it.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="155" />
            <source>Model name</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="156" />
            <source>The model's name in tables, legends and the report.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="158" />
            <source>LSNet model</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="158" />
            <source>Keras model (*.keras)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="159" />
            <source>The trained network (.keras) with a .keras.json sidecar holding the factors, preprocessing and history: the input of 'Predict LSI'.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="162" />
            <source>Training history</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="164" />
            <source>One row per epoch: loss, accuracy, early-stopping loss and AUROC, and seconds.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="167" />
            <location filename="../processing/training.py" line="161" />
            <source>LSI raster of the stack</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="169" />
            <source>Optional: the LSI map of the training stack right away, computed in the worker.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="171" />
            <location filename="../processing/training.py" line="166" />
            <source>Training time (s)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_lsnet.py" line="172" />
            <source>Best epoch</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_random_forest.py" line="9" />
            <source>Square root of the factors</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_random_forest.py" line="9" />
            <source>Half of the factors</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_random_forest.py" line="10" />
            <source>All factors</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_random_forest.py" line="16" />
            <source>Train random forest</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_random_forest.py" line="18" />
            <source>&lt;p&gt;Trains a random forest of classification trees. The forest's settings are parameters; cross-validation reports its expected AUROC.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_random_forest.py" line="24" />
            <source>Trees</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_random_forest.py" line="25" />
            <source>How many trees the forest grows (10 to 5,000; default 300): more trees give a steadier LSI and take longer.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_random_forest.py" line="28" />
            <source>Minimum samples per leaf</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_random_forest.py" line="29" />
            <source>The fewest training samples a leaf may hold (default 1): larger values give smoother, less overfitted trees.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_random_forest.py" line="32" />
            <source>Factors tried per split</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_random_forest.py" line="34" />
            <source>How many randomly chosen factors each split considers: the square root of their number (default), half of them, or all.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_svm.py" line="9" />
            <source>Train SVM (RBF support vector machine)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/train_svm.py" line="11" />
            <source>&lt;p&gt;Trains a support vector machine with a radial basis function (RBF) kernel. C and gamma are chosen on log grids by cross-validation maximising AUROC; the defaults (C 0.241..2410, gamma 0.0002..2, 5 values each) include the optimum of Zhang et al. (2022), C = 241 and gamma = 0.02. The LSI is P(landslide) by Platt scaling of the SVM's decision values: a sigmoid fitted on the out-of-fold decision values of the search (each fold's standardised by its own model), so no extra SVM is fitted.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="29" />
            <source>Stratified k-fold over cells (optimistic when landslides give several cells)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="30" />
            <source>Folds of the samples layer (whole landslides or spatial blocks; recommended)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="34" />
            <source>None</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="34" />
            <source>One model per CV fold</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="34" />
            <source>Bootstrap refits</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="37" />
            <source>&lt;p&gt;&lt;b&gt;Inputs&lt;/b&gt;: the factor stack the model learns from (usually the FR-encoded stack; the model then remembers the FR encoding and can also map the raw stack) and the samples of 'Prepare training samples'. Only training samples (split = train) are used; the validation samples are left for 'Evaluate susceptibility maps'.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Cross-validation&lt;/b&gt;: by default the folds of the samples layer, which never split a landslide (whole landslides or spatial blocks per fold); samples without fold numbers get folds by landslide. Stratified k-fold over cells stays available, but when landslides give several cells it puts cells of one landslide on both sides, so its scores are optimistic and it favours models that memorise landslides (the log warns). Hyperparameters maximise the mean AUROC over the folds; factors are standardised inside each fold.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Large inventories&lt;/b&gt;: the search runs on at most 'Search on at most this many samples' training samples (default 3,000): a share of every landslide's cells, drawn with the seed (so the landslides keep their spatial spread), by successive halving (all combinations on a ninth of them, the best third on a third, the best three on all); the final model is fitted on every training sample, or for the SVM on at most 'Final fit on at most this many samples' (default 10,000, a share of every landslide's cells). The log says what was done, with the counts. 0 means all samples.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Outputs&lt;/b&gt;: the model file (.lsmodel: no pickle, safe to share; it records the factors, the FR encoding, hyperparameters, CV score, training time and plugin version), the CV results table, and optionally the LSI raster of the stack.&lt;/p&gt;</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="78" />
            <source>Factor stack (FR-encoded or raw)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="79" />
            <source>The factors the model learns from: usually the FR-encoded stack (the model then remembers the encoding and can also map the raw stack), or the raw stack.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="84" />
            <source>The samples of 'Prepare training samples': only the training split (split = train) is used; the validation samples are left for Evaluate.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="88" />
            <source>Cross-validation</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="90" />
            <source>How the hyperparameters are scored: the samples' own folds, which never split a landslide (recommended), or stratified k-fold over cells, which puts cells of one landslide on both sides and scores optimistically.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="94" />
            <source>Folds (stratified k-fold, or by landslide when the samples have no fold numbers)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="97" />
            <source>k of the k-fold CV (2 to 50, default 10): used by stratified k-fold, and for folds by landslide when the samples have no fold field.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="101" />
            <source>Seed of the CV folds, the search and final-fit subsets and the forests: the same seed gives the same model.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="104" />
            <source>Standardise factors (fitted on training folds only)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="106" />
            <source>Scale every factor to mean 0 and standard deviation 1, with statistics of the training folds only (a random forest ignores it).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="109" />
            <source>Search on at most this many samples (a share of every landslide's cells; 0 = all)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="112" />
            <source>The hyperparameter search runs on at most this many training samples, a seeded share of every landslide's cells (0 = all); the final fit uses more.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="116" />
            <source>Search by successive halving (faster; off = every combination on every search sample)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="118" />
            <source>Every combination on a ninth of the search samples, the best third on a third, the best three on all of them; off: every combination on all.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="122" />
            <source>Final fit on at most this many samples (a share of every landslide's cells; 0 = all)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="125" />
            <source>The final model is fitted on at most this many training samples, a seeded share of every landslide's cells (0 = all; the SVM's time grows with the square of the samples).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="129" />
            <source>Ensemble for uncertainty maps</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="131" />
            <source>Keep an ensemble beside the model: one model per CV fold (fitted on that fold's training part) or refits on bootstrap resamples (landslides drawn whole), all with the chosen hyperparameters. 'Predict LSI' then maps their mean LSI and, as a second output, its standard deviation.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="136" />
            <source>Bootstrap refits in the ensemble</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="138" />
            <source>How many bootstrap refits (for 'Bootstrap refits'); each adds one final fit's time and size to the model file.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="142" />
            <source>CPU threads for the cross-validation and the LSI map (1 to 64); the model does not depend on it.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="145" />
            <source>Model name (legend, tables)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="146" />
            <source>The model's name in tables, legends and the report (default: the model type).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="150" />
            <source>Landslide LSM model (*.lsmodel)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="151" />
            <source>The model (.lsmodel: no pickle, safe to share) with its factors, FR encoding, hyperparameters, CV score and training time: the input of 'Predict LSI'.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="155" />
            <source>Cross-validation results</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="157" />
            <source>One row per hyperparameter combination: rank, values, mean and standard deviation of the AUROC over the folds, the CV scheme and the search round that scored it.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="163" />
            <source>Optional: the LSI map of the training stack right away (as 'Predict LSI' would write it).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="165" />
            <source>Best CV AUROC</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="168" />
            <source>Chosen hyperparameters</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="255" />
            <source>The smallest C (inverse penalty) of the log grid: a small C gives a smooth model, a large one follows the training samples closely.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="259" />
            <source>The largest C of the log grid (the paper's optimum, 241, lies inside the default 0.241..2410).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="263" />
            <source>How many values of C, spaced evenly on a log scale from the smallest to the largest (1 to 30).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="266" />
            <source>gamma, smallest</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="267" />
            <source>The smallest gamma of the RBF kernel (on standardised factors): a small gamma gives a smooth model, a large one a local model.</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="270" />
            <source>gamma, largest</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="271" />
            <source>The largest gamma of the log grid (the paper's optimum, 0.02, lies inside the default 0.0002..2).</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="274" />
            <source>gamma, values (log grid)</source>
            <translation type="unfinished"></translation>
        </message>
        <message>
            <location filename="../processing/training.py" line="276" />
            <source>How many values of gamma, spaced evenly on a log scale (1 to 30); the search tries every pair of C and gamma.</source>
            <translation type="unfinished"></translation>
        </message>
    </context>
</TS>
