//===- EinsumEquation.h - kiln.einsum's equation ----------------*- C++ -*-===//
//
// The explicit equation kiln.einsum carries ("bij,bjk->bik": one term of
// letters per operand, then the result's), parsed once here for the op's
// inference and verifier and for its lowering, so that they agree.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILN_IR_EINSUMEQUATION_H
#define KILN_DIALECT_KILN_IR_EINSUMEQUATION_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cctype>
#include <optional>
#include <string>

namespace mlir::kiln {

struct EinsumEquation {
  /// The letters of each operand's dimensions, in order.
  llvm::SmallVector<std::string> inputs;
  /// The letters of the result's dimensions (each at most once).
  std::string output;
  /// Every letter, in order of first appearance: the result's first, then
  /// the summed ones (the loop order of the lowering).
  std::string letters() const {
    std::string all = output;
    for (const std::string &term : inputs)
      for (char c : term)
        if (all.find(c) == std::string::npos)
          all.push_back(c);
    return all;
  }
};

/// Parses the explicit form: terms of ASCII letters separated by ',', then
/// "->" and the result's letters, which must be distinct and each appear in
/// some term. Sets `why` and returns nothing when `text` is not of that form.
inline std::optional<EinsumEquation> parseEinsumEquation(llvm::StringRef text,
                                                         std::string &why) {
  auto arrow = text.find("->");
  if (arrow == llvm::StringRef::npos) {
    why = "has no '->' and result term";
    return std::nullopt;
  }
  EinsumEquation eq;
  llvm::SmallVector<llvm::StringRef> terms;
  text.take_front(arrow).split(terms, ',');
  auto allLetters = [](llvm::StringRef s) {
    return llvm::all_of(s, [](char c) { return std::isalpha((unsigned char)c); });
  };
  for (llvm::StringRef term : terms) {
    if (!allLetters(term)) {
      why = "term '" + term.str() + "' is not made of letters";
      return std::nullopt;
    }
    eq.inputs.push_back(term.str());
  }
  llvm::StringRef output = text.drop_front(arrow + 2);
  if (!allLetters(output)) {
    why = "result term '" + output.str() + "' is not made of letters";
    return std::nullopt;
  }
  for (auto [i, c] : llvm::enumerate(output)) {
    if (output.drop_front(i + 1).contains(c)) {
      why = std::string("result letter '") + c + "' appears twice";
      return std::nullopt;
    }
    if (!llvm::any_of(eq.inputs, [c = c](const std::string &term) {
          return term.find(c) != std::string::npos;
        })) {
      why = std::string("result letter '") + c + "' names no operand dimension";
      return std::nullopt;
    }
  }
  eq.output = output.str();
  return eq;
}

} // namespace mlir::kiln

#endif // KILN_DIALECT_KILN_IR_EINSUMEQUATION_H
