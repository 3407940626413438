"""The model comparison dock widget (matplotlib Figure in FigureCanvasQTAgg)."""
