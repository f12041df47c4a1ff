// A dense layer with a dynamic batch, returning its result twice: the two
// outputs share one buffer, which the runtime must hand out as two tensors.
func.func @main(%x: tensor<?x4xf32> {kiln.name = "x"},
                %w: tensor<4x3xf32> {kiln.name = "w"})
    -> (tensor<?x3xf32> {kiln.name = "y"}, tensor<?x3xf32> {kiln.name = "y_again"}) {
  %0 = kiln.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = kiln.relu %0 : tensor<?x3xf32>
  return %1, %1 : tensor<?x3xf32>, tensor<?x3xf32>
}
