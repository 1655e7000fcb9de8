"""The training corpus: what is said (:mod:`.text`), by whom (:mod:`.voices`), over what
channel (:mod:`.channel`), rendered to disk by :mod:`.build`."""
