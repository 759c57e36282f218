"""Measuring wiretrace's verdicts on labelled corpora nobody here wrote.

``corpora`` reads the corpora, ``plagdet`` scores passage-level detections the
way the PAN competitions do, ``run`` puts a corpus through the real pipeline
and turns its origins records into figures.
"""
