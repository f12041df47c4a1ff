# -*- Python -*-
# lit configuration of Kiln's tests: FileCheck tests of passes, importers and
# the CLI (.mlir, .onnxtxt, .test), end-to-end tests in Python (.py), and the
# GoogleTest unit tests found under the build's unittests/ folder.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Kiln"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test", ".py"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "lib"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")

config.substitutions.append(("%python", config.kiln_python))
config.substitutions.append(("%onnx_node_tests", config.onnx_node_tests))
config.substitutions.append(("%kiln_src", config.kiln_src_root))
config.substitutions.append(("%kiln_obj", config.kiln_obj_root))
config.substitutions.append(("%kiln_runtime_dir", config.kiln_runtime_dir))
# Several ONNX text models in one .onnxtxt file, separated by "# -----" lines
# (a '#' comment to the ONNX parser). The marker is spelled here, not in the
# RUN line, because the splitter would also split at the RUN line's copy.
config.substitutions.append(
    ("%split_onnx", "--split-input-file='# -----'"))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.kiln_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
# Python helpers shared by the end-to-end tests.
llvm_config.with_environment(
    "PYTHONPATH", os.path.join(config.kiln_src_root, "test", "lib"),
    append_path=True)
# Generated models and data never go in the source tree.
config.environment["KILN_TEST_TMP"] = os.path.join(config.test_exec_root, "tmp")

tools = ["kiln", "kiln-opt", "kiln-translate", "kiln-conformance"]
llvm_config.add_tool_substitutions(tools, config.kiln_tools_dir)

if os.path.exists("/usr/local/cuda/bin/ptxas"):
    config.available_features.add("ptxas")
