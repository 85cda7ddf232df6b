function loss(inputs, args) {
  const built = [1, 2, 3];           // no bridge id: NaN was cast to an integer
  const forged = [4, 5, 6];
  forged.__losslens_array = -1e300;  // a forged id out of any integer's range
  return add(sum(built), sum(forged));
}
