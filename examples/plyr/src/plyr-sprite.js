// Plyr's default config downloads its icon sprite from cdn.plyr.io, and the npm package ships the
// icons only as separate SVG files (src/sprite/). Vite bundles them; this turns them into the
// `<symbol id="plyr-…">` sprite Plyr's controls reference as `#plyr-play`, etc.
const icons = import.meta.glob("../node_modules/plyr/src/sprite/*.svg", {
  query: "?raw",
  import: "default",
  eager: true,
});

/** A hidden <svg> holding one <symbol> per Plyr icon; insert it before creating the player. */
export function plyrSprite() {
  const symbols = Object.entries(icons).map(([file, svg]) => {
    const id = file
      .split("/")
      .pop()
      .replace(/\.svg$/, "");
    const viewBox = /viewBox="([^"]*)"/.exec(svg)?.[1] ?? "0 0 18 18";
    const body = svg.replace(/^[\s\S]*?<svg[^>]*>/, "").replace(/<\/svg>\s*$/, "");
    return `<symbol id="${id}" viewBox="${viewBox}">${body}</symbol>`;
  });
  const holder = document.createElement("div");
  holder.hidden = true;
  holder.innerHTML = `<svg xmlns="http://www.w3.org/2000/svg">${symbols.join("")}</svg>`;
  return holder;
}
