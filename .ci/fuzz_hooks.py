"""Schemathesis hooks for .ci/fuzz: strategies for the schema's custom scalars."""

import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

# Decimal travels as a string: valid amounts and readings, and junk that must be refused cleanly.
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(min_value=-10**7, max_value=10**7, places=3, allow_nan=False).map(str),
        st.sampled_from(["", "NaN", "Infinity", "1e400", "0.001", "-0", "12,5", "1" * 60]),
        st.text(max_size=12),
    ).map(nodes.String),
)
