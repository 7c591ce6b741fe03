"""Org charts without Graphviz: installed with pip alone, `dot` is missing, and the user is
told in one line what to install, not shown graphviz's traceback."""

import pytest

from govgraph.graph.answers import NodeRef, TreeNode
from govgraph.viz import orgchart
from govgraph.viz.orgchart import RendererMissing

TREE = TreeNode(
    node=NodeRef(uid="street:福田区.莲花街道", name="莲花街道", type="StreetOffice",
                 type_zh="街道办事处"),
    children=[TreeNode(node=NodeRef(uid="community:莲花街道.景华社区", name="景华社区",
                                    type="Community", type_zh="社区"), relation="下辖")])


@pytest.mark.parametrize("format_name", list(orgchart.FORMATS))
def test_a_missing_dot_is_one_line_saying_what_to_install(tmp_path, monkeypatch, format_name):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot` on the PATH
    with pytest.raises(RendererMissing) as raised:
        orgchart.render({"admin": TREE}, "莲花街道", format_name)
    message = str(raised.value)
    assert message == ("Graphviz is not installed: org charts need its `dot` program (Debian: "
                       "apt-get install graphviz; or run bash scripts/setup.sh)")
    assert "\n" not in message
    assert isinstance(raised.value, RuntimeError)
