/* One MNIST test digit drawn from the digits file into a small canvas, dark ink on paper. */

/** A <figure class="digit-tile"> for test digit `index`, with `caption` (text or a node) under it. */
export function digitTile(digits, index, caption = "") {
  const figure = document.createElement("figure");
  figure.className = "digit-tile";
  figure.dataset.index = String(index);
  figure.dataset.label = String(digits.label(index));
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = digits.side;
  canvas.title = `MNIST test digit #${index}, labelled ${digits.label(index)}`;
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", canvas.title);
  const context = canvas.getContext("2d");
  const image = context.createImageData(digits.side, digits.side);
  digits.pixels(index).forEach((ink, i) => {
    image.data.fill(255 - ink, 4 * i, 4 * i + 3);
    image.data[4 * i + 3] = 255;
  });
  context.putImageData(image, 0, 0);
  figure.append(canvas);
  const text = document.createElement("figcaption");
  text.append(caption || `#${index}`);
  figure.append(text);
  return figure;
}
