"""Views of graph data: interactive network pages and org-chart images (they take graph data,
never a store)."""
