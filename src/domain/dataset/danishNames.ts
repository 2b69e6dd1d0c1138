/**
 * Name pools for Danish identities: faker's Danish lists plus a curated list with the names that carry
 * æ, ø and å (faker's lists are short of them) and the given names of older generations, who make up most
 * of a radiology department's patients.
 */
import { da } from '@faker-js/faker';

interface FakerDaPerson {
  readonly first_name: { readonly female: readonly string[]; readonly male: readonly string[] };
  readonly last_name: { readonly generic: readonly string[] };
  readonly middle_name?: { readonly generic?: readonly string[] };
}

const fakerPerson = (da as unknown as { person: FakerDaPerson }).person;

/** The twenty most common Danish surnames (Danmarks Statistik), drawn about half of the time. */
export const COMMON_SURNAMES: readonly string[] = [
  'Nielsen', 'Jensen', 'Hansen', 'Pedersen', 'Andersen', 'Christensen', 'Larsen', 'Sørensen', 'Rasmussen',
  'Jørgensen', 'Petersen', 'Madsen', 'Kristensen', 'Olsen', 'Thomsen', 'Christiansen', 'Poulsen', 'Johansen',
  'Møller', 'Mortensen',
];

const CURATED_SURNAMES: readonly string[] = [
  'Søndergaard', 'Bækgaard', 'Østergaard', 'Mølgaard', 'Kjær', 'Aagaard', 'Brøndum', 'Kjærgaard', 'Nørgaard',
  'Højgaard', 'Grønbæk', 'Præstegaard', 'Bøgh', 'Lønborg', 'Mølholm', 'Nørregaard', 'Frølund', 'Kjærsgaard',
  'Sønderby', 'Grønlund', 'Bødker', 'Skjødt', 'Ørum', 'Søgaard', 'Krøyer', 'Brønnum', 'Sønderskov', 'Damsgaard',
  'Hyldgaard', 'Fønss', 'Kærgaard', 'Bækhøj', 'Løkke', 'Højer', 'Sørup', 'Dræby', 'Vestergård', 'Åberg',
];

const CURATED_MALE: readonly string[] = [
  'Søren', 'Jørgen', 'Bjørn', 'Jørn', 'Børge', 'Bent', 'Poul', 'Knud', 'Kåre', 'Preben', 'Erling', 'Aage', 'Helge',
  'Verner', 'Gunnar', 'Finn', 'Flemming', 'Torben', 'Ove', 'Arne', 'Mogens', 'Palle', 'Henning', 'Bøje', 'Ejnar',
  'Holger', 'Kjeld', 'Asbjørn', 'Thøger', 'Jens', 'Niels', 'Hans', 'Erik', 'Per', 'Ole',
];

const CURATED_FEMALE: readonly string[] = [
  'Åse', 'Birthe', 'Grethe', 'Inge', 'Kirsten', 'Bodil', 'Ellen', 'Karen', 'Jytte', 'Lis', 'Hanne', 'Gurli',
  'Tove', 'Ketty', 'Dorthe', 'Susanne', 'Søs', 'Bente', 'Else', 'Ulla', 'Vibeke', 'Lene', 'Merete', 'Annelise',
  'Jonna', 'Solveig', 'Sørine', 'Mette', 'Gitte', 'Marianne', 'Kirstine', 'Inger',
];

/** Second given names that Danes commonly carry ("Anne Marie", "Jens Peter"). */
export const SECOND_GIVEN_MALE: readonly string[] = ['Peter', 'Erik', 'Christian', 'Henrik', 'Kristian', 'Ole', 'Jørgen', 'Aage', 'Emil'];
export const SECOND_GIVEN_FEMALE: readonly string[] = ['Marie', 'Margrethe', 'Louise', 'Kristine', 'Sofie', 'Birgitte', 'Kathrine', 'Elisabeth'];

/** Danish middle names (mellemnavne) sit between the given names and the surname. */
export const MIDDLE_NAMES: readonly string[] = uniq([
  'Bach', 'Juhl', 'Kjær', 'Holm', 'Krogh', 'Skov', 'Lund', 'Dahl', 'Bech', 'Vinther', 'Brix', 'Friis', 'Bjerre',
  'Munk', 'Høj', 'Bonde', 'Grøn', 'Kirk', 'Riis', 'Rahbek', 'Mølgaard', 'Østergaard',
  ...(fakerPerson.middle_name?.generic ?? []),
]);

export const SURNAMES: readonly string[] = uniq([...fakerPerson.last_name.generic, ...CURATED_SURNAMES]);
export const MODERN_MALE: readonly string[] = uniq(fakerPerson.first_name.male);
export const MODERN_FEMALE: readonly string[] = uniq(fakerPerson.first_name.female);
export const CLASSIC_MALE: readonly string[] = uniq(CURATED_MALE);
export const CLASSIC_FEMALE: readonly string[] = uniq(CURATED_FEMALE);

/** Every name the pools can produce (for tests: the æ/ø/å coverage). */
export function allNames(): string[] {
  return uniq([
    ...COMMON_SURNAMES, ...SURNAMES, ...MODERN_MALE, ...MODERN_FEMALE, ...CLASSIC_MALE, ...CLASSIC_FEMALE,
    ...SECOND_GIVEN_MALE, ...SECOND_GIVEN_FEMALE, ...MIDDLE_NAMES,
  ]);
}

function uniq(items: readonly string[]): string[] {
  return [...new Set(items)];
}
