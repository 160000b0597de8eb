/* The model's 28x28 input as an image: white ink on black, as MNIST's digits are. */

export const INPUT_SIZE = 28; // side of the model input

/** Draws the input (784 values in [0, 1], row by row) into a 28x28 `context`, at its origin. */
export function drawModelInput(context, pixels) {
  const image = context.createImageData(INPUT_SIZE, INPUT_SIZE);
  const data = image.data;
  for (let i = 0; i < INPUT_SIZE * INPUT_SIZE; i++) {
    const v = Math.round(pixels[i] * 255);
    data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = v;
    data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}
