"""Adds 1 to the first element of a serialized TensorProto, in place.

Used to show that kiln-conformance reports a test whose output no longer
matches as a regression.
"""
import sys

import numpy as np
from onnx import TensorProto, numpy_helper

path = sys.argv[1]
tensor = TensorProto()
with open(path, "rb") as f:
    tensor.ParseFromString(f.read())
array = numpy_helper.to_array(tensor).copy()
array.flat[0] += 1
with open(path, "wb") as f:
    f.write(numpy_helper.from_array(array, tensor.name).SerializeToString())
