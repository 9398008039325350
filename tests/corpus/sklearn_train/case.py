"""scikit-learn: a classifier chosen by ``@config.when``, ``@extract_fields`` for the split, and a
``fit`` that mutates the classifier it is given (as the example says)."""

import numpy as np

from tests.corpus import Edit

_target = np.tile([0, 1, 2], 10)

INPUTS = {
    "feature_matrix": np.random.default_rng(11).normal(size=(30, 2)) + _target[:, None] * 3.0,
    "target": _target,
    "target_names": np.array(["setosa", "versicolor", "virginica"]),
    "test_size_fraction": 0.3,
    "shuffle_train_test_split": False,
}
CONFIG = {"clf": "svm"}
EDITS = [
    Edit("default-parameter", 1, "gamma: float = 0.001", "gamma: float = 0.5", ("prefit_clf",)),
    Edit(
        "labels",
        4,
        "np.array([target_names[idx] for idx in predicted_output])",
        "np.array([target_names[idx].upper() for idx in predicted_output])",
        ("predicted_output_with_labels",),
    ),
]
