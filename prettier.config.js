// The style the code already keeps: lines up to 140, single quotes, trailing commas, two spaces.
export default {
  printWidth: 140,
  singleQuote: true,
  trailingComma: 'all',
  tabWidth: 2,
  semi: true,
};
