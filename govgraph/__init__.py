"""govgraph: the knowledge graph of grassroots governance (基层治理).

The installed package is this one name; its parts are the project's top-level folders
(``graph``, ``loaders``, ``service``, ``viz``), linked here so they install and import as
``govgraph.graph``, ``govgraph.loaders`` … and nothing else lands at the top of site-packages.
"""
