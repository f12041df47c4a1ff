// Two matmuls in a row: the first one's result is an intermediate buffer
// the compiled code allocates and frees on every run, through the runtime's
// caching allocator.
func.func @main(%a: tensor<96x128xf32> {kiln.name = "a"},
                %b: tensor<128x128xf32> {kiln.name = "b"})
    -> (tensor<96x128xf32> {kiln.name = "c"}) {
  %0 = kiln.matmul %a, %b : (tensor<96x128xf32>, tensor<128x128xf32>) -> tensor<96x128xf32>
  %1 = kiln.matmul %0, %b : (tensor<96x128xf32>, tensor<128x128xf32>) -> tensor<96x128xf32>
  return %1 : tensor<96x128xf32>
}
