"""Layer-wise k-nearest-neighbour probing with ScaNN."""
