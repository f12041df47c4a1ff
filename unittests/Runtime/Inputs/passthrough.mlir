// Returns its input and a constant: outputs that alias an input or a global
// must still come back as buffers the caller owns.
func.func @main(%x: tensor<3xi64> {kiln.name = "x"})
    -> (tensor<3xi64> {kiln.name = "same"}, tensor<2xui8> {kiln.name = "constant"}) {
  %c = kiln.constant dense<[7, 200]> : tensor<2xui8>
  return %x, %c : tensor<3xi64>, tensor<2xui8>
}
