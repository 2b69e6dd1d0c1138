/**
 * Real Danish postcode–city pairs by region (faker's postcode and city do not match each other) and the
 * street names of faker's Danish locale.
 */
import { da } from '@faker-js/faker';

export type RegionCode = 'H' | 'SJ' | 'SD' | 'MJ' | 'NJ';

export const REGION_NAMES: Readonly<Record<RegionCode, string>> = {
  H: 'Region Hovedstaden',
  SJ: 'Region Sjælland',
  SD: 'Region Syddanmark',
  MJ: 'Region Midtjylland',
  NJ: 'Region Nordjylland',
};

export type PostcodeCity = readonly [postcode: string, city: string];

export const POSTCODES: Readonly<Record<RegionCode, readonly PostcodeCity[]>> = {
  H: [
    ['1050', 'København K'], ['1550', 'København V'], ['1800', 'Frederiksberg C'], ['2000', 'Frederiksberg'],
    ['2100', 'København Ø'], ['2200', 'København N'], ['2300', 'København S'], ['2400', 'København NV'],
    ['2450', 'København SV'], ['2500', 'Valby'], ['2600', 'Glostrup'], ['2605', 'Brøndby'], ['2610', 'Rødovre'],
    ['2620', 'Albertslund'], ['2630', 'Taastrup'], ['2650', 'Hvidovre'], ['2660', 'Brøndby Strand'],
    ['2700', 'Brønshøj'], ['2720', 'Vanløse'], ['2730', 'Herlev'], ['2740', 'Skovlunde'], ['2750', 'Ballerup'],
    ['2760', 'Måløv'], ['2770', 'Kastrup'], ['2791', 'Dragør'], ['2800', 'Kongens Lyngby'], ['2820', 'Gentofte'],
    ['2830', 'Virum'], ['2840', 'Holte'], ['2850', 'Nærum'], ['2860', 'Søborg'], ['2900', 'Hellerup'],
    ['2920', 'Charlottenlund'], ['2970', 'Hørsholm'], ['3000', 'Helsingør'], ['3400', 'Hillerød'],
    ['3450', 'Allerød'], ['3460', 'Birkerød'], ['3500', 'Værløse'], ['3520', 'Farum'], ['3600', 'Frederikssund'],
    ['3700', 'Rønne'],
  ],
  SJ: [
    ['4000', 'Roskilde'], ['4040', 'Jyllinge'], ['4100', 'Ringsted'], ['4180', 'Sorø'], ['4200', 'Slagelse'],
    ['4300', 'Holbæk'], ['4400', 'Kalundborg'], ['4600', 'Køge'], ['4690', 'Haslev'], ['4700', 'Næstved'],
    ['4760', 'Vordingborg'], ['4800', 'Nykøbing F'], ['4900', 'Nakskov'], ['4220', 'Korsør'], ['4140', 'Borup'],
  ],
  SD: [
    ['5000', 'Odense C'], ['5200', 'Odense V'], ['5210', 'Odense NV'], ['5220', 'Odense SØ'], ['5230', 'Odense M'],
    ['5250', 'Odense SV'], ['5400', 'Bogense'], ['5500', 'Middelfart'], ['5600', 'Faaborg'], ['5700', 'Svendborg'],
    ['5800', 'Nyborg'], ['6000', 'Kolding'], ['6100', 'Haderslev'], ['6200', 'Aabenraa'], ['6270', 'Tønder'],
    ['6400', 'Sønderborg'], ['6600', 'Vejen'], ['6700', 'Esbjerg'], ['7000', 'Fredericia'], ['7100', 'Vejle'],
    ['7190', 'Billund'],
  ],
  MJ: [
    ['8000', 'Aarhus C'], ['8200', 'Aarhus N'], ['8210', 'Aarhus V'], ['8220', 'Brabrand'], ['8230', 'Åbyhøj'],
    ['8240', 'Risskov'], ['8260', 'Viby J'], ['8270', 'Højbjerg'], ['8300', 'Odder'], ['8382', 'Hinnerup'],
    ['8500', 'Grenaa'], ['8600', 'Silkeborg'], ['8660', 'Skanderborg'], ['8700', 'Horsens'], ['8800', 'Viborg'],
    ['8900', 'Randers C'], ['7400', 'Herning'], ['7430', 'Ikast'], ['7500', 'Holstebro'], ['7600', 'Struer'],
    ['7800', 'Skive'], ['6900', 'Skjern'],
  ],
  NJ: [
    ['9000', 'Aalborg'], ['9200', 'Aalborg SV'], ['9210', 'Aalborg SØ'], ['9220', 'Aalborg Øst'],
    ['9300', 'Sæby'], ['9400', 'Nørresundby'], ['9500', 'Hobro'], ['9600', 'Aars'], ['9700', 'Brønderslev'],
    ['9800', 'Hjørring'], ['9900', 'Frederikshavn'], ['9990', 'Skagen'], ['7700', 'Thisted'], ['9640', 'Farsø'],
  ],
};

export const STREET_NAMES: readonly string[] = (da as unknown as { location: { street_name: readonly string[] } })
  .location.street_name;

/** Two-digit number prefixes in use for Danish mobile and landline numbers. */
export const PHONE_PREFIXES_MOBILE: readonly string[] = [
  '20', '21', '22', '23', '24', '25', '26', '27', '28', '29', '30', '31', '40', '41', '42', '50', '51', '52', '53',
  '60', '61', '71', '81', '91', '92', '93',
];
export const PHONE_PREFIXES_LANDLINE: Readonly<Record<RegionCode, readonly string[]>> = {
  H: ['32', '33', '35', '36', '38', '39', '43', '44', '45', '48', '49'],
  SJ: ['46', '47', '55', '56', '57', '58', '59'],
  SD: ['62', '63', '64', '65', '66', '73', '74', '75', '76'],
  MJ: ['86', '87', '89', '96', '97'],
  NJ: ['96', '98', '99'],
};
