//===- KilnInterfaces.cpp - Interfaces of kiln ops ------------------------===//
//
// The generated interface definitions. The implementations are in
// lib/Dialect/Kiln/Autodiff, one file per op family.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/Kiln/IR/KilnInterfaces.h"

#include "kiln/Dialect/Kiln/IR/KilnInterfaces.cpp.inc"
