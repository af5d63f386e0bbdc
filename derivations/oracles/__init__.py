"""Independent evidence used by checks and tests: finite differences in float64 and mpmath (``finite``), and float64
PyTorch modules and autograd (``autograd``, imported only inside checks registered with ``needs="torch"``)."""
