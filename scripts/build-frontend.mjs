// Builds the portal's CSS and copies GOV.UK Frontend's JavaScript into
// app/static/dist (not committed). Run by `npm run build` from the Makefile.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "app", "static", "dist");
mkdirSync(dist, { recursive: true });

const css = sass.compile(join(root, "app", "static", "src", "portal.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
});
writeFileSync(join(dist, "portal.css"), css.css);

const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
copyFileSync(join(govuk, "govuk-frontend.min.js"), join(dist, "govuk-frontend.min.js"));
console.log(`Built ${dist}`);
