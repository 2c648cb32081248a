"""Shared by the bench/ scripts: bench/h2load-peers (a command, so no .py suffix) loaded as a Python module, for
its /proc accounting, server start/stop, h2load runner and certificate helper.

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import benchlib
    peers = benchlib.load_h2load_peers()
"""

import importlib.machinery
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load_h2load_peers():
    name = "h2load_peers"
    if name in sys.modules:
        return sys.modules[name]
    loader = importlib.machinery.SourceFileLoader(name, os.path.join(HERE, "h2load-peers"))
    spec = importlib.util.spec_from_loader(name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules[name] = module
    return module
