"""NumPy float64 reference networks in PyTorch's parameter layout: activations, tanh/ReLU RNNs and their Jacobians,
LSTM and GRU cells and their Jacobians, MLPs. Shared by the topic modules' checks and figure data, the labs and the
tests; tested directly against PyTorch in ``tests/nets``. Nothing here imports SymPy."""
