"""Per-example measures of Arpit et al.: critical sample ratio, loss sensitivity, Gini."""
