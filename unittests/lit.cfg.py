# -*- Python -*-
# lit runs every GoogleTest binary named *Tests under the build's unittests/.

import os

import lit.formats

config.name = "Kiln-Unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.kiln_obj_root, "unittests")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
# The runtime tests read and write scratch files here.
config.environment["KILN_TEST_TMP"] = os.path.join(config.test_exec_root, "tmp")
