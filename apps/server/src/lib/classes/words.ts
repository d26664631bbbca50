/**
 * Short, common French words without accents, for first-time passwords that a pupil of eleven can
 * read and type (lib/classes/codes.ts). 256 distinct words: three of them and two digits make
 * about 31 bits, behind argon2id and the per-account login limit (ADR 048).
 */
export const PASSWORD_WORDS: readonly string[] = (
  'abeille abricot agneau aigle aimant album allee amande ananas ancre anneau arbre ' +
  'argent ardoise atlas avion badge baleine balle banane banc barque bateau biche ' +
  'bijou bille biscuit blason bocal bois bonbon bonnet botte bougie boule bouton ' +
  'bravo brioche brume buisson cabane cactus cadeau cahier caillou calme camion canard ' +
  'canoe carnet carotte castor cerise chalet chameau chanson chapeau chat chemin chene ' +
  'cheval chien citron clairon cloche colline comete compas coquille corde coton crayon ' +
  'criquet cygne dauphin desert dessin domino dragon dune ecureuil elan encre epice ' +
  'escargot etoile falaise farine fenetre feuille ficelle flamant fleur flocon flute foret ' +
  'fourmi fraise framboise fromage fusee galet gateau girafe glace gland globe gomme ' +
  'gorille grenier griffon grotte guitare hamac hamster herisson hibou hirondelle horloge igloo ' +
  'image indigo jardin jasmin jongleur journal judo jungle kayak kiwi koala lagune ' +
  'lampe lapin lavande legume lezard licorne lierre lion livre loutre lune lynx ' +
  'macaron magie manege mangue marmotte melon meteore miel mimosa miroir montagne mouette ' +
  'mouton muguet musique myrtille navire neige nuage oasis ocean olive ombre orange ' +
  'orchidee oreiller ours pagode palmier panda papier papillon parapluie pastel pelote perle ' +
  'phare piano pinceau pingouin pirate planete plume poire pomme pont potiron poulain ' +
  'prairie prune puzzle radis raisin rameau renard requin riviere robot rocher rose ' +
  'roseau rubis ruisseau sable sapin saumon savon sentier serpent sirop soleil sommet ' +
  'souris statue sucre tambour tapis taupe theiere tigre tipi tomate tortue toupie ' +
  'tracteur train trefle tresor tulipe tunnel vague valise vanille velo verger violon ' +
  'volcan voilier wagon yaourt zebre zephyr ballon biscotte cerf colombe etang gazelle ' +
  'grillon lutin moulin pivert'
).split(' ');
