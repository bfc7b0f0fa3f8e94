import numpy

a = numpy.arange(6.0).reshape(2, 3)
print(numpy.dot(a, a.T).tolist())
