"""Cells under a committee (sub-cells): the superior, the sub-cell gate, exemptions and the roll-up."""
