global using System.Numerics;
global using Sure.Tensors;
// Aliased so that Sure.Tensors.Tensor<T> never collides with System.Numerics.Tensors.Tensor<T>.
global using TP = System.Numerics.Tensors.TensorPrimitives;
