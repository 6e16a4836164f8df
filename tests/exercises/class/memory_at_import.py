hog = bytearray(20 * 10 ** 9)
