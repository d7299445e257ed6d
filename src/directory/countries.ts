// ISO 3166-1 alpha-2 codes with their English short names and the common other spellings, so that
// a directory's `iso` can be checked against its `country` (XK, Kosovo, is user-assigned but used
// by the Council of Europe and the EU, and by libphonenumber).
import { suggest } from '../core/suggest.js';

/** `CODE|Name|alias|alias...`: the first name is the one shown in messages. */
const TABLE = `
AD|Andorra
AE|United Arab Emirates|UAE|Emirates
AF|Afghanistan
AG|Antigua and Barbuda
AI|Anguilla
AL|Albania
AM|Armenia
AO|Angola
AQ|Antarctica
AR|Argentina|Argentine Republic
AS|American Samoa
AT|Austria
AU|Australia
AW|Aruba
AX|Åland Islands|Aland
AZ|Azerbaijan
BA|Bosnia and Herzegovina|Bosnia-Herzegovina|Bosnia
BB|Barbados
BD|Bangladesh
BE|Belgium
BF|Burkina Faso
BG|Bulgaria
BH|Bahrain
BI|Burundi
BJ|Benin
BL|Saint Barthélemy
BM|Bermuda
BN|Brunei Darussalam|Brunei
BO|Bolivia|Plurinational State of Bolivia|Bolivia (Plurinational State of)
BQ|Bonaire, Sint Eustatius and Saba|Caribbean Netherlands
BR|Brazil
BS|Bahamas
BT|Bhutan
BV|Bouvet Island
BW|Botswana
BY|Belarus
BZ|Belize
CA|Canada
CC|Cocos (Keeling) Islands|Cocos Islands
CD|Democratic Republic of the Congo|Congo, Democratic Republic of the|DR Congo|DRC|Congo-Kinshasa
CF|Central African Republic
CG|Congo|Republic of the Congo|Congo-Brazzaville
CH|Switzerland|Swiss Confederation
CI|Côte d'Ivoire|Ivory Coast
CK|Cook Islands
CL|Chile
CM|Cameroon
CN|China|People's Republic of China
CO|Colombia
CR|Costa Rica
CU|Cuba
CV|Cabo Verde|Cape Verde
CW|Curaçao
CX|Christmas Island
CY|Cyprus
CZ|Czechia|Czech Republic
DE|Germany|Federal Republic of Germany
DJ|Djibouti
DK|Denmark
DM|Dominica
DO|Dominican Republic
DZ|Algeria
EC|Ecuador
EE|Estonia
EG|Egypt
EH|Western Sahara
ER|Eritrea
ES|Spain
ET|Ethiopia
FI|Finland
FJ|Fiji
FK|Falkland Islands|Falkland Islands (Malvinas)
FM|Micronesia|Federated States of Micronesia
FO|Faroe Islands|Faroes
FR|France|French Republic
GA|Gabon
GB|United Kingdom|United Kingdom of Great Britain and Northern Ireland|UK|Great Britain
GD|Grenada
GE|Georgia
GF|French Guiana
GG|Guernsey
GH|Ghana
GI|Gibraltar
GL|Greenland
GM|Gambia
GN|Guinea
GP|Guadeloupe
GQ|Equatorial Guinea
GR|Greece|Hellenic Republic
GS|South Georgia and the South Sandwich Islands
GT|Guatemala
GU|Guam
GW|Guinea-Bissau
GY|Guyana
HK|Hong Kong
HM|Heard Island and McDonald Islands
HN|Honduras
HR|Croatia
HT|Haiti
HU|Hungary
ID|Indonesia
IE|Ireland
IL|Israel
IM|Isle of Man
IN|India
IO|British Indian Ocean Territory
IQ|Iraq
IR|Iran|Islamic Republic of Iran|Iran (Islamic Republic of)
IS|Iceland
IT|Italy
JE|Jersey
JM|Jamaica
JO|Jordan
JP|Japan
KE|Kenya
KG|Kyrgyzstan|Kyrgyz Republic
KH|Cambodia
KI|Kiribati
KM|Comoros
KN|Saint Kitts and Nevis
KP|North Korea|Democratic People's Republic of Korea
KR|Republic of Korea|South Korea|Korea
KW|Kuwait
KY|Cayman Islands
KZ|Kazakhstan
LA|Laos|Lao People's Democratic Republic|Lao PDR
LB|Lebanon
LC|Saint Lucia
LI|Liechtenstein
LK|Sri Lanka
LR|Liberia
LS|Lesotho
LT|Lithuania
LU|Luxembourg
LV|Latvia
LY|Libya
MA|Morocco
MC|Monaco
MD|Moldova|Republic of Moldova
ME|Montenegro
MF|Saint Martin|Saint Martin (French part)
MG|Madagascar
MH|Marshall Islands
MK|North Macedonia|Macedonia|Republic of North Macedonia
ML|Mali
MM|Myanmar|Burma
MN|Mongolia
MO|Macao|Macau
MP|Northern Mariana Islands
MQ|Martinique
MR|Mauritania
MS|Montserrat
MT|Malta
MU|Mauritius
MV|Maldives
MW|Malawi
MX|Mexico
MY|Malaysia
MZ|Mozambique
NA|Namibia
NC|New Caledonia
NE|Niger
NF|Norfolk Island
NG|Nigeria
NI|Nicaragua
NL|Netherlands|Holland|Kingdom of the Netherlands
NO|Norway
NP|Nepal
NR|Nauru
NU|Niue
NZ|New Zealand
OM|Oman
PA|Panama
PE|Peru
PF|French Polynesia
PG|Papua New Guinea
PH|Philippines
PK|Pakistan
PL|Poland
PM|Saint Pierre and Miquelon
PN|Pitcairn|Pitcairn Islands
PR|Puerto Rico
PS|Palestine|State of Palestine
PT|Portugal
PW|Palau
PY|Paraguay
QA|Qatar
RE|Réunion
RO|Romania
RS|Serbia
RU|Russia|Russian Federation
RW|Rwanda
SA|Saudi Arabia
SB|Solomon Islands
SC|Seychelles
SD|Sudan
SE|Sweden
SG|Singapore
SH|Saint Helena|Saint Helena, Ascension and Tristan da Cunha
SI|Slovenia
SJ|Svalbard and Jan Mayen
SK|Slovakia|Slovak Republic
SL|Sierra Leone
SM|San Marino
SN|Senegal
SO|Somalia
SR|Suriname
SS|South Sudan
ST|Sao Tome and Principe
SV|El Salvador
SX|Sint Maarten|Sint Maarten (Dutch part)
SY|Syria|Syrian Arab Republic
SZ|Eswatini|Swaziland
TC|Turks and Caicos Islands
TD|Chad
TF|French Southern Territories
TG|Togo
TH|Thailand
TJ|Tajikistan
TK|Tokelau
TL|Timor-Leste|East Timor
TM|Turkmenistan
TN|Tunisia
TO|Tonga
TR|Türkiye|Turkey|Republic of Türkiye
TT|Trinidad and Tobago
TV|Tuvalu
TW|Taiwan
TZ|Tanzania|United Republic of Tanzania
UA|Ukraine
UG|Uganda
UM|United States Minor Outlying Islands
US|United States of America|United States|USA|U.S.A.|America
UY|Uruguay
UZ|Uzbekistan
VA|Holy See|Vatican|Vatican City
VC|Saint Vincent and the Grenadines
VE|Venezuela|Bolivarian Republic of Venezuela
VG|British Virgin Islands|Virgin Islands (British)
VI|United States Virgin Islands|US Virgin Islands|Virgin Islands (U.S.)
VN|Viet Nam|Vietnam
VU|Vanuatu
WF|Wallis and Futuna
WS|Samoa
XK|Kosovo
YE|Yemen
YT|Mayotte
ZA|South Africa
ZM|Zambia
ZW|Zimbabwe
`;

/** Folds a country name for comparison: no accents, case, punctuation, "the", "St." or comma inversion. */
export function foldCountryName(name: string): string {
  let s = name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
  // "Korea, Republic of" -> "republic of korea"
  const comma = /^([^,]+),\s*([^,]+)$/.exec(s);
  if (comma && /\bof$|^the\b|^republic|^democratic|^plurinational|^islamic|^federated/.test(comma[2] ?? '')) {
    s = `${comma[2]} ${comma[1]}`;
  }
  return s
    .replace(/&/g, ' and ')
    .replace(/['’‘`.]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .replace(/\bst\b/g, 'saint')
    .replace(/\bthe\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const names = new Map<string, string>();
/** Every spelling, the usual names first (suggestions prefer them on a tie). */
const allSpellings: string[] = [];
const aliases: string[] = [];
const byFoldedName = new Map<string, string>();
const foldedByCode = new Map<string, Set<string>>();

for (const line of TABLE.trim().split('\n')) {
  const [code, ...spellings] = line.split('|') as [string, ...string[]];
  names.set(code, spellings[0] ?? code);
  allSpellings.push(spellings[0] ?? code);
  aliases.push(...spellings.slice(1));
  const folded = new Set(spellings.map(foldCountryName));
  foldedByCode.set(code, folded);
  for (const f of folded) if (!byFoldedName.has(f)) byFoldedName.set(f, code);
}
allSpellings.push(...aliases);

/** Every known code, upper case (ISO 3166-1 alpha-2 plus XK). */
export function countryCodes(): string[] {
  return [...names.keys()];
}

/** English short name of a code, or undefined when the code does not exist. */
export function countryName(iso: string): string | undefined {
  return names.get(iso.toUpperCase());
}

/** The code a country name (or one of its usual other spellings) stands for. */
export function isoForCountry(name: string): string | undefined {
  return byFoldedName.get(foldCountryName(name));
}

/** Whether `name` is one of the spellings of the country with code `iso`. */
export function countryMatches(iso: string, name: string): boolean {
  return foldedByCode.get(iso.toUpperCase())?.has(foldCountryName(name)) ?? false;
}

/** Whether `name` is a country: one of its spellings, or its ISO code. */
export function isCountry(name: string): boolean {
  return isoForCountry(name) !== undefined || (/^[A-Za-z]{2}$/.test(name.trim()) && countryName(name.trim()) !== undefined);
}

/** The spelling of a country nearest to a name that is none (`Frnace` -> `France`). */
export function suggestCountry(name: string, among: Iterable<string> = allSpellings): string | undefined {
  return suggest(name, among, { fold: foldCountryName });
}
