// Large enough for its loops to run on the thread pool.
func.func @main(%a: tensor<128x256xf32> {kiln.name = "a"},
                %b: tensor<256x128xf32> {kiln.name = "b"})
    -> (tensor<128x128xf32> {kiln.name = "c"}) {
  %0 = kiln.matmul %a, %b : (tensor<128x256xf32>, tensor<256x128xf32>) -> tensor<128x128xf32>
  %1 = kiln.tanh %0 : tensor<128x128xf32>
  return %1 : tensor<128x128xf32>
}
