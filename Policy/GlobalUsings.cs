global using System.Numerics;
global using Sure.Autodiff;
global using Sure.Tensors;
