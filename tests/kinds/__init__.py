"""Rule kinds defined in the test tree, to show a kind is one module."""
