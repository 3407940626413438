"""Train SVM: RBF support vector machine, C and gamma by cross-validation."""

from ..translation import tr_noop
from .training import TrainAlgorithm, c_gamma_grid, c_gamma_parameters


class TrainSvm(TrainAlgorithm):
    ID = "trainsvm"
    TITLE = tr_noop("Train SVM (RBF support vector machine)")
    MODEL_TYPE = "svm"
    HELP = tr_noop(
        "<p>Trains a support vector machine with a radial basis function (RBF) kernel. C and "
        "gamma are chosen on log grids by cross-validation maximising AUROC; the defaults "
        "(C 0.241..2410, gamma 0.0002..2, 5 values each) include the optimum of Zhang et al. "
        "(2022), C = 241 and gamma = 0.02. The LSI is P(landslide) by Platt scaling of the "
        "SVM's decision values: a sigmoid fitted on the out-of-fold decision values of the "
        "search (each fold's standardised by its own model), so no extra SVM is fitted.</p>")

    def add_model_parameters(self):
        c_gamma_parameters(self)

    def grid(self, parameters, context):
        return c_gamma_grid(self, parameters, context)
