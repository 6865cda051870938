"""The ``kubectl ws`` and ``kubectl create workspace`` plugin: kcp's workspace commands for gitplane.

The plugin is a kubeconfig rewriter. It reads the current workspace from the current context's server URL
(``<base>/clusters/<path>``), asks the API server about Workspaces, and writes the contexts
``workspace.kcp.io/current`` and ``workspace.kcp.io/previous`` back into the kubeconfig.

Data flows one way through the modules:

    main        argv -> argparse -> one command of :mod:`commands` or :mod:`create`; errors -> ``error: ...``
    commands    kubeconfig (:mod:`kubeconfig`) + path arithmetic (:mod:`paths`) + requests (:mod:`api`)
                -> a kubeconfig edit, written atomically, and one line from :mod:`messages`
    create      POST a Workspace, wait for it to be Ready, optionally enter it through :mod:`commands`
    tree        LIST Workspaces recursively -> a tree of names -> treeprint-style lines
"""
