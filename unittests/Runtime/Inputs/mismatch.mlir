// Two dynamic batches that must agree, behind a matmul that allocates: the
// run-time check must fire before anything is allocated.
func.func @main(%x: tensor<?x4xf32> {kiln.name = "x"},
                %w: tensor<4x4xf32> {kiln.name = "w"},
                %b: tensor<?x4xf32> {kiln.name = "b"})
    -> (tensor<?x4xf32> {kiln.name = "y"}) {
  %0 = kiln.matmul %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %1 = kiln.add %0, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}
