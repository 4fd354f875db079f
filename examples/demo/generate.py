"""Deterministic generator of the demo workspace's data: a social export and RSS/Atom feeds.

    python examples/demo/generate.py            # rewrite examples/demo/data/ and examples/demo/feeds/
    python examples/demo/generate.py --out DIR  # write DIR/data/... and DIR/feeds/... instead

Everything is fictional: the companies, their competitors, the people and the news. The data carries
signals planted on purpose (see README.md next to this file and ``data/planted_truth.json``): a
negative spike for one brand, a theme that grows in the second week, brand accounts that answer
some questions and leave others waiting, "carrier" authors, a copy-paste campaign.

One seeded ``random.Random`` drives every choice, and nothing iterates over a set or a hash-ordered
mapping, so two runs write byte-identical files. Other code (fake API servers for the social
connectors) can reuse the posts: ``generate_posts()`` returns them as export-shaped dicts, each with
its platform in ``network``.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import string
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime
from pathlib import Path
from random import Random
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

SEED = 20261120
FIRST_DAY = date(2026, 11, 7)
DAYS = 14
WINDOW_START = datetime.combine(FIRST_DAY, time(0), UTC)
WINDOW_END = WINDOW_START + timedelta(days=DAYS)  # exclusive: the export ends with 2026-11-20 UTC
ROME = ZoneInfo("Europe/Rome")
DEMO_DIR = Path(__file__).resolve().parent

# The planted signals; README.md explains them and tests read them from planted_truth.json.
SPIKE_DAY = date(2026, 11, 12)
SPIKE_BRAND = "Vallerossa"
RECALL_LOT = "L26-311"
GROWING_THEME = "packaging"
CAMPAIGN_DAY = date(2026, 11, 16)
CAMPAIGN_BRAND = "Rinasco"
CAMPAIGN_ACCOUNTS = 15


# --------------------------------------------------------------------------------------------------
# Brands: these mirror examples/demo/workspace.yaml (tests check that they agree).


@dataclass(frozen=True)
class BrandAccount:
    platform: str
    screen_name: str
    answer_rate: float  # share of addressed questions/complaints this account answers
    median_delay_minutes: float  # lognormal median of the first response time, in business hours
    business_hours_only: bool = True


@dataclass(frozen=True)
class Brand:
    name: str
    client: str
    sector: str  # "food" or "fashion"
    weight: float  # share of brand talk
    x_handle: str  # how people address the brand on X, without "@"
    hashtag: str
    accounts: tuple[BrandAccount, ...] = ()
    en_share: float = 0.3
    quality: float = 0.0  # -1..1: how consumers feel about it, shifts sentiment of posts

    def address(self, platform: str, rng: Random) -> str:
        """How a post on ``platform`` names the brand: its handle where it has one, else its name."""
        for account in self.accounts:
            if account.platform == platform and platform == "bluesky":
                return "@" + account.screen_name
        if platform == "x" and rng.random() < 0.85:
            return "@" + self.x_handle
        return self.name


BRANDS: tuple[Brand, ...] = (
    Brand(
        "Vallerossa", "vallerossa", "food", 0.30, "vallerossa", "#Vallerossa",
        accounts=(
            BrandAccount("x", "vallerossa_care", 0.72, 35),
            BrandAccount("x", "vallerossa", 0.15, 90),
            BrandAccount("bluesky", "vallerossa.bsky.social", 0.35, 180),
        ),
        en_share=0.26, quality=0.35,
    ),
    Brand(
        "Aurora", "vallerossa", "food", 0.14, "pasta_aurora", "#PastaAurora",
        accounts=(BrandAccount("x", "pasta_aurora", 0.5, 120),),
        en_share=0.25, quality=0.05,
    ),
    Brand(
        "Granfiore", "vallerossa", "food", 0.10, "granfiore_it", "#Granfiore",
        accounts=(BrandAccount("x", "granfiore_it", 0.2, 400),),
        en_share=0.2, quality=0.2,
    ),
    Brand("Molino Sereni", "vallerossa", "food", 0.07, "molinosereni", "#MolinoSereni", en_share=0.15, quality=0.1),
    Brand(
        "Verdefilo", "verdefilo", "fashion", 0.18, "verdefilo", "#Verdefilo",
        accounts=(
            BrandAccount("x", "verdefilo", 0.38, 300, business_hours_only=False),
            BrandAccount("bluesky", "verdefilo.bsky.social", 0.5, 240),
        ),
        en_share=0.5, quality=0.3,
    ),
    Brand(
        "Rinasco", "verdefilo", "fashion", 0.10, "rinasco_wear", "#Rinasco",
        accounts=(BrandAccount("x", "rinasco_wear", 0.6, 25),),
        en_share=0.45, quality=-0.1,
    ),
    Brand(
        "Telaviva", "verdefilo", "fashion", 0.07, "telaviva", "#Telaviva",
        accounts=(BrandAccount("x", "telaviva", 0.3, 240),),
        en_share=0.5, quality=0.15,
    ),
    Brand("Nodo Studio", "verdefilo", "fashion", 0.04, "nodostudio", "#NodoStudio", en_share=0.4, quality=0.0),
)
BRAND_BY_NAME = {brand.name: brand for brand in BRANDS}

PRODUCTS = {
    "food": [
        ("fusilli", "fusilli"), ("penne rigate", "penne rigate"), ("spaghetti", "spaghetti"),
        ("paccheri", "paccheri"), ("orecchiette", "orecchiette"), ("linguine", "linguine"),
        ("pasta integrale", "wholewheat pasta"), ("pasta di farro", "spelt pasta"),
        ("pasta senza glutine", "gluten-free pasta"), ("tagliatelle all'uovo", "egg tagliatelle"),
        ("sugo al pomodoro", "tomato sauce"), ("pesto alla genovese", "pesto"), ("mezze maniche", "mezze maniche"),
    ],
    "fashion": [
        ("felpa in cotone bio", "organic cotton hoodie"), ("jeans", "jeans"),
        ("maglione in lana riciclata", "recycled wool jumper"), ("t-shirt in canapa", "hemp t-shirt"),
        ("cappotto", "coat"), ("sneakers", "sneakers"), ("giacca in Tencel", "Tencel jacket"),
        ("pantaloni in lino", "linen trousers"), ("zaino in PET riciclato", "recycled PET backpack"),
        ("sciarpa in alpaca", "alpaca scarf"), ("camicia in cotone organico", "organic cotton shirt"),
    ],
}
CITIES = ["Milano", "Roma", "Torino", "Bologna", "Napoli", "Firenze", "Bari", "Padova", "Verona", "Genova",
          "Palermo", "Trento", "Parma", "Lecce", "Brescia", "Cagliari"]
SUBREDDITS = {"food": ["italy", "Cooking", "italianfood", "pasta"],
              "fashion": ["sustainablefashion", "italy", "femalefashionadvice", "BuyItForLife"]}

# --------------------------------------------------------------------------------------------------
# Text: templates with [a|b|c] alternatives and {slot}s. Slots: b brand name, h how the brand is
# addressed (handle or name), p product, n a number, c a city, o another brand, t hashtag.

THEMES = ["sustainability", "origin", "packaging", "ingredients", "price", "customer_service", "delivery"]

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "question": {
        "it": [
            "food:[Ciao|Buongiorno|Salve|Ehi|] {h}[,|] [ma|] [i|] {p} [sono fatti|vengono prodotti] con grano italiano?",
            "food:{h} [avete|fate] anche [una versione|la versione] senza glutine [dei {p}|di {p}]",
            "[Domanda per|Una domanda per|Info per] {h}: dove [si trovano|trovo] [i {p}|{p}] a {c}? [Nel mio supermercato non ci sono più|Non li trovo da nessuna parte|Sparite dagli scaffali]",
            "{h} [ma|] la confezione [dei|di] {p} [si può buttare nella carta|va nella plastica o nella carta|è riciclabile]?",
            "[Qualcuno sa se|Sapete se] {b} [spedisce|consegna] anche [in Svizzera|all'estero|nelle isole]? [Sul sito non è chiaro|Non trovo info]",
            "{h} quanto [tempo|] ci vuole [di solito|] per una consegna a {c}",
            "{h} [scusate|] [ma|] [come faccio a|posso] cambiare l'indirizzo di consegna [di un ordine già fatto|dopo aver ordinato]?",
            "{h} [c'è|avete] un codice sconto per [chi si iscrive alla newsletter|il primo ordine]?",
            "food:[Ciao|Salve] {h}, [i {p}|{p}] [contengono|possono contenere] tracce di [soia|frutta a guscio|lattosio]?",
            "{h} da dove [arriva|viene] [il {m}|la materia prima] [che usate|dei {p}]? [Vorrei saperne di più sulla filiera|Mi interessa la filiera]",
            "{h} [ma|] [perché|come mai] [il prezzo dei {p}|{p}] è aumentato [così tanto|di nuovo]",
            "fashion:{h} [il reso|la restituzione] è gratuit[o|a]? [Ho preso la taglia sbagliata|Mi serve una taglia in più|La misura non va]",
            "[Ma|] {b} [fa|ha] ancora [i {p}|{p}] in [edizione limitata|formato grande]? {h}",
            "{h} [avete|c'è] un punto vendita a {c}[?| o solo online?]",
            "{h} [buonasera|ciao], [l'ordine n. {n}|il mio ordine {n}] [risulta|è ancora] \"in preparazione\" da [3|4|5] giorni, [è normale|tutto ok]?",
        ],
        "en": [
            "[Hi|Hey|Hello|] {h}[,|] are your {p} [made in Italy|really organic|made in your own factory]?",
            "{h} do you ship to [the UK|Ireland|Germany|the US] [?| and how long does it take?|]",
            "{h} [quick question:|question -] is the packaging of the {p} [recyclable|compostable|plastic free]",
            "Does anyone know if {b} [still makes|discontinued] the {p}? [Can't find them anywhere|My shop stopped stocking them]",
            "fashion:{h} what's your return policy [for sale items|if the size is wrong|on worn items]?",
            "{h} [hi,|] where is your [{m}|raw material] sourced from? [Genuinely curious|Asking before I buy]",
            "{h} any chance of a [discount code|student discount|restock] [soon|this month]",
            "{h} is there a store in [London|Milan|Rome|Berlin] or online only?",
            "{h} can I change the delivery address on order #{n}",
            "food:{h} do the {p} contain [nuts|soy|dairy] traces?",
            "[Hey|Hi] {h} [how long does|what's the usual time for] delivery to [Manchester|Dublin|Edinburgh|Bristol]?",
            "{h} why did the price of the {p} go up [again|so much]?",
            "{h} order {n} has been \"processing\" for [4|5|6] days, [is that normal|anything wrong]?",
        ],
    },
    "complaint": {
        "it": [
            "{h} [ancora nessuna risposta|nessuna risposta] [alla mia mail|al mio messaggio|in DM] [di lunedì|di tre giorni fa|della settimana scorsa]",
            "{h} ordine {n} [del|fatto il] [2|3|4|5] novembre [non ancora arrivato|ancora in viaggio|mai arrivato]",
            "[Terza|Quarta|Seconda] mail a {h} senza risposta. [Ok.|Bene.|Ottimo servizio clienti.|]",
            "food:{p} di {b} [scuociono in 5 minuti|si sono spezzati tutti|sanno di cartone] [, delusione totale|. Mai più|, peccato]",
            "[Pessima|Brutta] esperienza con {h}: [reso rifiutato|rimborso mai arrivato|pacco arrivato aperto] [😤|😡|🤬|]",
            "{h} [il pacco|la consegna] [risulta consegnat[o|a] ma non è mai arrivat[o|a]|è fermo a Bologna da una settimana]",
            "fashion:{h} [la cucitura|la zip] [della|del] {p} [si è aperta|si è rotta] dopo [due|tre] lavaggi",
            "Ho pagato [il doppio|un sacco] per {p} di {b} e [la qualità è calata|non vale il prezzo]. [Peccato|Delusa|Deluso]",
            "{h} [sono|] [10|12|15] giorni che aspetto il rimborso [del reso {n}|dell'ordine {n}]",
            "[Da|Dopo] [due|tre] settimane [ancora|] nessuna notizia del mio ordine {h}",
            "food:Ma {b} [ha cambiato ricetta|ha cambiato fornitore]? [I|] {p} non sono più [quelli di una volta|gli stessi]",
            "{h} [chat|numero verde] [sempre occupat[o|a]|che non risponde mai], [come devo fare?|che si fa?]",
        ],
        "en": [
            "{h} still waiting [on my refund|for a reply|for order {n}] [...|. Day [4|6|9].|]",
            "[Ordered|Bought] {p} from {b} [two weeks ago|on the 3rd], [nothing yet|no tracking, nothing|still not here]",
            "{h} [third|fourth|second] email, no reply. [Great.|Cool.|]",
            "fashion:The {p} from {b} [fell apart|shrank|faded] after [two|three] washes [🙄|😒|]",
            "{h} tracking says delivered. [It was not.|Nothing at my door.|Neighbours haven't seen it either.]",
            "[Day|Week] [5|6|2] of waiting for {h} to [answer|sort out my return|process my refund]",
            "{h} [your|the] [chat|support line] [has been down all day|never picks up]",
            "Not impressed with {b}: [overpriced|late delivery|wrong item sent] and [no answer from support|no apology]",
            "{h} [parcel|order] {n} [stuck in Milan hub for a week|returned to sender for no reason]",
            "food:{b} [changed the recipe|changed suppliers]? The {p} [taste different|aren't the same anymore]",
        ],
    },
    "praise": {
        "it": [
            "{p} di {b} [sono|restano] [i migliori|insuperabili|una certezza] [🍝|😍|❤️|👌🏽|]",
            "[Finalmente|Evviva,] [ho trovato|ho provato] {p} di {b}: [promossi|promossa|ottima qualità]",
            "[Grazie|Grazie mille] {h} per [la risposta velocissima|aver risolto in 24 ore|la gentilezza] 🙏🏼",
            "food:[Stasera|Oggi] {p} {b} [con|e] [pomodorini e basilico|burro e salvia|cacio e pepe] [👨‍🍳|👩‍🍳|😋]",
            "[Consiglio|Consiglio a tutti] {b}: [qualità vera|si sente la differenza|vale ogni centesimo]",
            "fashion:{h} [la mia|la] {p} [è arrivata|è arrivato] [in due giorni|prima del previsto] e [è perfett[a|o]|calza benissimo] 💚",
            "[Adoro|Amo] [come|il fatto che] {b} [racconta la sua filiera|sia trasparente su come produce|usi {m} italiano]",
            "[Non pensavo|Non credevo] che {p} [potesse|potessero] [essere così buon[a|i]|durare così tanto]. Brava {b}!",
            "Il servizio clienti di {b} [è una favola|è umano, finalmente|risponde davvero]",
            "food:[Cena|Pranzo] [della domenica|in famiglia] con {p} di {b} [👩‍👩‍👧|🇮🇹|🥰]",
        ],
        "en": [
            "The {p} from {b} [are|is] [honestly|genuinely|] [the best|so good|amazing] [😍|🙌🏾|💯|]",
            "[Huge|Big] thanks to {h} for [the quick reply|sorting my exchange in a day|the handwritten note] 🙏🏻",
            "[Finally|Just] [tried|got] the {p} from {b} and [wow|it's perfect|I'm impressed]",
            "{b} [nailed it again|never disappoints|is the real deal]",
            "fashion:My {p} from {b} [still looks new after a year|arrived in two days|fits perfectly] 💚",
            "[Love|Really love] that {b} [is open about its supply chain|actually answers questions|uses Italian {m}]",
            "food:Dinner tonight: {p} {b} [with pesto|with cherry tomatoes|cacio e pepe style] [👨‍🍳|😋|🤌]",
            "[Shoutout|Props] to {h}: [real humans on support|quality that lasts|worth every penny]",
        ],
    },
    "purchase_intent": {
        "it": [
            "[Sto per|Voglio] [ordinare|comprare|prendere] [il|la|] {p} di {b}[, consigli?|. Ne vale la pena?|]",
            "[Mi sa che|Credo che] [prenderò|ordino] [la|il|] {p} di {b} per [Natale|il compleanno di mia sorella|me]",
            "[Qualcuno ha provato|Avete provato] {p} di {b}? [Lo voglio comprare|Sono indecis[o|a]]",
            "[Nel carrello|Messo nel carrello]: {p} {b}. [Aspetto il Black Friday?|Lo prendo adesso o aspetto gli sconti?]",
            "Cerco {p} [buon[i|a]|di qualità] ma sostenibil[i|e]: {b} o {o}?",
        ],
        "en": [
            "[About to|Going to|Thinking of] [order|buy] the {p} from {b}[, any thoughts?|. Worth it?|]",
            "Anyone tried the {p} from {b}? [Want to buy one|Tempted]",
            "In my basket: {p} {b}. [Wait for Black Friday?|Buy now or wait?]",
            "Looking for [good|decent] {p}, {b} or {o}?",
            "[Will|Might] get the {p} from {b} as a [Christmas present|gift for my partner|treat]",
        ],
    },
    "support": {
        "it": [
            "{h} [ho bisogno di aiuto|aiuto] con [un reso|un ordine|il mio account]: [il link non funziona|non riesco ad accedere|mi dà errore]",
            "{h} come [faccio|posso fare] [il reso|il cambio] dell'ordine {n}",
            "{h} [il codice sconto|il coupon] non [funziona|viene accettato] al checkout",
            "{h} [ho ricevuto|mi è arrivato] [il prodotto sbagliato|un pacco danneggiato|un articolo diverso], [vi scrivo qui perché|come procedo?]",
            "{h} [non riesco a|impossibile] [pagare con PayPal|completare l'ordine] [dall'app|dal sito]",
        ],
        "en": [
            "{h} [need help|help] with [a return|order {n}|my account]: [the link is broken|can't log in|error at checkout]",
            "{h} how do I [exchange|return] the {p} from order {n}",
            "{h} your discount code [doesn't work|is rejected] at checkout",
            "{h} [received|got] [the wrong item|a damaged parcel|the wrong size], [what now?|who do I contact?]",
        ],
    },
    "news": {
        "it": [
            "{b} [apre|inaugura] un [nuovo|] [negozio|punto vendita|pop-up] a {c}",
            "{b} [annuncia|presenta] [la nuova linea|una nuova collezione|un nuovo formato] di {p}",
            "[Secondo|Stando a] [un'indagine di mercato|i dati di settore], {b} [cresce|guadagna quote] nel [primo semestre|2026]",
            "{b} [sponsor|partner] [della sagra di {c}|di una gara podistica a {c}|del festival del cibo di {c}]",
            "[Fiera|Evento] a {c}: [presente anche|c'è anche] {b} con {p}",
        ],
        "en": [
            "{b} [opens|launches] a [new store|pop-up] in [Milan|London|Berlin|Amsterdam]",
            "{b} [announces|unveils] a new [line|collection|format] of {p}",
            "{b} [joins|signs] [a textile recycling scheme|a fair-wage pledge|a regenerative farming pilot]",
            "[Report:|Industry data:] {b} [grows|gains share] in [Italy|Europe] this year",
        ],
    },
    "comparison": {
        "it": [
            "[Ho provato|Provati] {p} di {o} dopo anni di {b}: [torno subito a|mai più tradire] {b} [😅|🙈|]",
            "{b} [batte|straccia] {o} [10 a 0|senza storia] [su|per] {p}",
            "[Onestamente|Sinceramente] {o} [mi ha delus[o|a]|costa troppo], {b} [invece|] [mai un problema|sempre perfetto]",
            "[Tra|Fra] {b} e {o} [non c'è gara|vince {b}]: [la qualità si sente|il servizio clienti fa la differenza]",
        ],
        "en": [
            "Switched from {o} to {b} for {p} and [never going back|what a difference]",
            "{b} > {o} for {p}, [not even close|fight me]",
            "[Honestly|Tbh] {o} [disappointed me|is overpriced], {b} [never let me down|just works]",
        ],
    },
    "mention": {
        "it": [
            "[Visto oggi|Passata da|Appena passato davanti a] [il negozio|lo stand] di {b} [a {c}|in centro]",
            "[Qualcuno|Chi] [va|andrà] all'evento di {b} a {c} [sabato|domenica|]?",
            "[Spesa|Spesa fatta]: {p} {b}, [pane|olio] e [verdure|frutta] {t}",
            "[Pubblicità|Lo spot] di {b} [in tv|su YouTube] [ovunque|stasera]",
        ],
        "en": [
            "[Saw|Walked past] the {b} [shop|stand] in [Milan|Rome|Florence] today",
            "Grocery run: {p} {b}, [bread|olive oil], [veg|fruit] {t}",
            "{b} ads [everywhere|on every podcast] lately",
        ],
    },
}

THEME_TEMPLATES: dict[str, dict[str, list[str]]] = {
    "sustainability": {
        "it": [
            "[Apprezzo|Mi piace] che {b} [parli di sostenibilità|pubblichi il bilancio di sostenibilità] ma [vorrei dati|servono fatti], non slogan",
            "{b} [dichiara|promette] [emissioni zero|neutralità climatica] entro il 2030: [ci crediamo?|vedremo|bene ma come?]",
            "Consumo responsabile: [compro meno e meglio|scelgo marchi trasparenti] e {b} [per ora|finora] [passa l'esame|mi convince]",
            "Ma quanto è davvero sostenibile {b}? [Qualcuno ha letto il report?|Greenwashing o no?]",
        ],
        "en": [
            "Is {b} actually sustainable or is it [greenwashing|marketing]? [Read their report|Looking at their claims]",
            "{b} pledges [net zero|carbon neutral] by 2030. [Show us the data.|Nice, but how?]",
            "[Buying less, buying better|Conscious consumption]: {b} [makes the cut|is on my list] for now",
        ],
    },
    "origin": {
        "it": [
            "[Bello|Bellissimo] che {b} [indichi|scriva] [la provenienza|l'origine] del {m} in etichetta {t}",
            "{b} [dice|scrive] [{m} 100% italiano|filiera tutta italiana]: [qualcuno ha verificato?|dove sono i mulini?|ottimo]",
            "La filiera di {b} [è tracciabile|si può seguire] [dal campo allo scaffale|dalla fibra al capo]? [Vorrei saperlo|Chiedo]",
            "Il {m} da dove arriva? {b} [non lo dice|lo dice chiaramente] e [fa la differenza|per me conta]",
        ],
        "en": [
            "Love that {b} [lists|shows] [where the {m} comes from|the origin of its {m}] on the label {t}",
            "Where does {b} [source its {m}|make its products]? [The site is vague|Genuinely asking]",
            "Supply chain transparency matters: {b} [publishes its suppliers|does not name its factories]",
        ],
    },
    "packaging": {
        "it": [
            "[Perché|Ma perché] {b} [usa ancora|mette ancora] [la finestrella di plastica|imballaggi in plastica] [sui|nei] {p}? {t}",
            "[Il pacco|Il pacchetto] di {b} [pieno di plastica|con tre strati di plastica] per un solo {p} [🤦‍♀️|🤦‍♂️|😑]",
            "[Bene|Brava] {b} [con|per] [la confezione in carta|il packaging compostabile], [finalmente|era ora] {t}",
            "Dopo [l'inchiesta|il servizio] di Consumo Chiaro sugli imballaggi [guardo ogni confezione|controllo tutte le confezioni]. {b} [promosso|bocciato]",
            "[Imballaggi|Packaging]: {b} [dice riciclabile|scrive compostabile] ma [dove lo butto?|nel mio comune non lo ritirano]",
            "[Sfida|Mese] plastic free: [eliminato|tolto] {b} dalla lista [per colpa dell'imballaggio|finché non cambia confezione]",
        ],
        "en": [
            "Why does {b} still [use plastic windows|wrap everything in plastic] on the {p}? {t}",
            "Ordered one {p} from {b}, got [three layers of plastic|a huge box and bubble wrap] [🤦‍♀️|🤦🏻‍♂️|🙃]",
            "Well done {b} on the [paper packaging|compostable mailers], [finally|about time] {t}",
            "Since the Consumo Chiaro packaging report I check every [box|label]. {b} [passes|fails]",
            "{b} says [recyclable|compostable] packaging, but [my council won't take it|where does it go?]",
        ],
    },
    "ingredients": {
        "it": [
            "food:[Letto|Guardato] l'etichetta [dei|della] {p} di {b}: [ingredienti semplici|pochi ingredienti], [bene|promoss[i|a]]",
            "fashion:{b}: [tinture|trattamenti] [certificat[i|e] GOTS?|senza PFAS?] [Qualcuno sa?|Non lo trovo scritto]",
            "food:[Glifosato|Residui di pesticidi] nel grano: {b} [pubblica le analisi?|ha risposto?|è tra i migliori?]",
            "{p} {b}: [quante fibre|quanto sale|che composizione]? [Per chi ha allergie|Per la salute] conta",
        ],
        "en": [
            "food:Checked the label of {b} {p}: [short ingredient list|no additives], [good|nice]",
            "fashion:Does {b} use [GOTS certified dyes|PFAS-free finishes]? [Can't find it anywhere|Asking for my skin]",
            "{b} {p}: [what's the fibre content|any pesticide testing]? Matters for [health|allergies]",
        ],
    },
    "price": {
        "it": [
            "{p} di {b} [a|quasi] {e} euro. [Un po' troppo|Giusto per la qualità|Follia]",
            "[Rincari|Aumenti] ovunque: anche {b} [ha alzato i prezzi|costa di più] [del 15%|di un euro]",
            "[Il prezzo|Quanto costa] {b} [è giusto|non è giusto] se [paghi i lavoratori il giusto|la qualità è questa]",
        ],
        "en": [
            "{b} {p} at €{e} now. [Bit steep|Fair for the quality|Madness]",
            "Prices up everywhere, {b} too ([15%|a euro] more)",
            "Is {b} worth the price? [Fair wages cost money|Not sure anymore]",
        ],
    },
    "customer_service": {
        "it": [
            "Il servizio clienti di {b} [mi ha richiamato|ha risolto] in [un'ora|mezza giornata]. [Chapeau|Così si fa]",
            "[Chat|Assistenza] di {b} [gestita da un bot|che non capisce], [vorrei parlare con una persona|serve un umano]",
            "[Le aziende|I marchi] dovrebbero rispondere [come|meglio di] {b} [sui social|alle domande]",
        ],
        "en": [
            "{b} support [called me back|fixed it] in [an hour|half a day]. [That's how it's done|Impressed]",
            "{b} chat is [a bot that doesn't get it|useless], [let me talk to a human|need a person]",
            "Brands should answer [like|better than] {b} [on social|when asked]",
        ],
    },
    "delivery": {
        "it": [
            "Consegna {b} [in 24 ore|in due giorni] [a {c}|], [corriere gentilissimo|tutto perfetto]",
            "[Il corriere di|La consegna di] {b} [ha lasciato il pacco sotto la pioggia|è in ritardo di una settimana]",
            "{b} [ha spedito|spedisce] [con corriere a emissioni zero|in bici cargo] a {c}: [bello|ottima idea]",
        ],
        "en": [
            "{b} delivery [next day|in two days], [perfect|no complaints]",
            "{b} courier [left the parcel in the rain|is a week late]",
            "{b} [ships by|now uses] [cargo bike|zero-emission vans] in [London|Milan], [nice|love it]",
        ],
    },
}

RECALL_TEMPLATES = {
    "it": [
        "[Richiamo|Ritiro] [dal mercato|urgente]: {b} [ritira|richiama] il lotto {lot} di {p} per [possibile presenza di|rischio di] frammenti metallici",
        "{h} ho [due|tre] pacchi [del lotto {lot}|di {p} del lotto {lot}], [che faccio?|li butto?|come vengo rimborsat[o|a]?]",
        "[Ma|] {h} [ci avete fatto mangiare|abbiamo mangiato] {p} [del lotto richiamato|del lotto {lot}] [ieri sera|a pranzo]! [Dovete spiegare|Voglio sapere cosa rischio]",
        "[Frammenti metallici|Pezzi di metallo] nella pasta {b}?? [Mai più|Che schifo|Inaccettabile] [😡|🤢|😱]",
        "{h} [nessuna comunicazione|zero informazioni] [sul sito|ai clienti] sul [richiamo|lotto {lot}]. [Vergogna|Serve chiarezza]",
        "[Richiamo|Ritiro] {b}: [controllate|guardate] le confezioni di {p} in dispensa, lotto {lot}",
        "Dopo il richiamo del lotto {lot} [non compro più|ho paura a comprare] {b}. [Peccato|Anni di fiducia buttati]",
        "{h} il supermercato [non mi vuole rimborsare|dice di scrivere a voi] [per|i pacchi del] lotto {lot}",
        "[Ho appena letto|Letto ora] del richiamo {b}. [Speriamo nessuno si sia fatto male|Quanti lotti sono coinvolti?]",
    ],
    "en": [
        "{b} recalls {p} batch {lot} over [possible metal fragments|a contamination risk]",
        "{h} I have [two|three] packs from batch {lot}, [what do I do?|refund?|bin them?]",
        "Metal in {b} pasta?! [Not buying again|Unacceptable|Yikes] [😡|😬|🤢]",
        "{h} [no info on your site|nothing on your website] about the {lot} recall. [Really?|Be transparent]",
    ],
}

BRAND_REPLY_TEMPLATES = {
    "question": {
        "it": [
            "Ciao {u}! [Sì|Certo], [trovi tutte le info|trovi i dettagli] [sulla pagina prodotto|sul nostro sito, sezione FAQ] [😊|🙂|]",
            "Ciao {u}, [grazie della domanda!|bella domanda!] [Ti abbiamo scritto in DM|Ti rispondiamo in privato] con i dettagli 🙏",
            "[Ciao|Buongiorno] {u}, [la nostra materia prima|il nostro {m}] [è tutta tracciata|arriva da filiera certificata]: [trovi la mappa dei fornitori sul sito|ti mandiamo il link in DM]",
            "Ciao {u}! [Al momento|Per ora] [no|non ancora], ma [ci stiamo lavorando|arriverà presto] [🙌🏻|💚|]",
            "{u} ciao! [Le consegne|I tempi di consegna] [sono di 2-3 giorni lavorativi|variano da 24 a 72 ore]. [Fammi sapere se serve altro|A disposizione]",
        ],
        "en": [
            "Hi {u}! [Yes|Absolutely], [all the details are|you'll find everything] on the product page [😊|🙂|]",
            "Hi {u}, [thanks for asking!|great question!] We've sent you a DM with the details 🙏",
            "Hey {u}, [our raw materials are|our {m} is] [fully traceable|from certified suppliers], [supplier map is on our site|link in your DMs]",
            "Hi {u}! [Not yet|Not at the moment], but [we're working on it|it's coming soon] 💚",
        ],
    },
    "complaint": {
        "it": [
            "Ciao {u}, [ci dispiace molto|siamo davvero dispiaciuti]. [Scrivici in DM il numero d'ordine|Mandaci l'ordine in privato] e [verifichiamo subito|ce ne occupiamo oggi stesso]",
            "{u} [hai ragione|ci scusiamo per l'attesa], [abbiamo avuto un picco di richieste|siamo in ritardo con le risposte]. Ti [scriviamo|contattiamo] [ora|entro oggi] in DM",
            "Ciao {u}, [abbiamo sollecitato il corriere|abbiamo aperto una segnalazione]: [ti aggiorniamo entro domani|riceverai una mail a breve]",
        ],
        "en": [
            "Hi {u}, [we're really sorry|so sorry about this]. [DM us your order number|Send us your order details privately] and [we'll sort it today|we'll look into it right away]",
            "{u} [you're right|apologies for the wait], [we've had a backlog|we're behind on replies]. We'll DM you [now|today]",
            "Hi {u}, [we've chased the courier|we've opened a ticket]; [update by tomorrow|you'll get an email shortly]",
        ],
    },
    "recall": {
        "it": [
            "Ciao {u}, il richiamo riguarda [solo|esclusivamente] il lotto {lot}. Puoi [riportare|restituire] la confezione [in qualsiasi punto vendita|dove l'hai acquistata] e [ti rimborsiamo|riceverai il rimborso] 🙏",
            "{u} [ci dispiace moltissimo|ci scusiamo]. [Trovi tutte le istruzioni|Le istruzioni per il rimborso sono] su vallerossa.example.com/richiamo. [Per qualsiasi dubbio scrivici in DM|Siamo qui per ogni domanda]",
            "Ciao {u}, [nessun altro lotto è coinvolto|gli altri lotti sono sicuri]. [Ti abbiamo scritto in DM|Ti contattiamo in privato] per il rimborso",
        ],
        "en": [
            "Hi {u}, the recall only covers batch {lot}. Return the pack to any store for a full refund 🙏",
            "{u} we're so sorry. All instructions are at vallerossa.example.com/recall, DM us with any question",
        ],
    },
    "praise": {
        "it": ["Grazie di cuore {u}! 💚", "{u} [che bello leggerti|ci hai fatto la giornata], grazie! [🙏|😊|🍝]",
               "Grazie {u}, [buon appetito!|alla prossima!|lo diremo a tutto il team] [🙌🏽|❤️|]"],
        "en": ["Thank you so much {u}! 💚", "{u} [you made our day|this means a lot], thank you! [🙏|😊]"],
    },
}

PEOPLE_REPLY_TEMPLATES = {
    "it": [
        "[Anche a me|Pure a me] [è successo|è capitato] [la settimana scorsa|uguale|due volte]",
        "[Concordo|Concordo al 100%|Esatto|Verissimo][!|.|]",
        "[Io invece|Io] mi sono [trovato|trovata] benissimo con {b}",
        "[Hai provato|Prova] a scrivere [in DM|alla mail del servizio clienti]?",
        "[Seguo|Interessa anche a me], [fammi sapere|aggiorna se rispondono]",
        "[Boh|Mah], io [non ho mai avuto problemi|ho smesso di comprarli]",
        "{q}",
        "[Ahah|😂|🤣] [verissimo|sempre così]",
        "[Per me|Secondo me] {o} è [meglio|uguale] [ma costa di più|e costa meno]",
        "[Stessa cosa|Idem] [qui a|a] {c}",
        "Ma [davvero?|sul serio?] [Non lo sapevo|Pensavo fosse solo da me]",
        "[Bella domanda|Me lo chiedo anche io] 🤔",
        "[Grazie per la segnalazione|Utile, grazie]",
        "[Noi|A casa nostra|In famiglia] [usiamo solo|compriamo sempre] {b} [da anni|da sempre] 👍🏼",
    ],
    "en": [
        "[Same here|Same thing happened to me] [last week|twice|🙄]",
        "[Agreed|100%|This][!|.|]",
        "[Weird,|Funny,] I've had [nothing but good experiences|no issues] with {b}",
        "Have you tried [DMing them|emailing support]?",
        "[Following|Also want to know], [let us know|update if they reply]",
        "{q}",
        "[lol|😂] [so true|every time]",
        "Imo {o} is [better|about the same] [but pricier|and cheaper]",
        "[Really?|Wait, really?] [Didn't know that|Thought it was just me]",
        "[Good question|Wondering the same] 🤔",
        "[Thanks for the heads up|Useful, thanks]",
    ],
}

# What a brand's products are made of, and what they cost (euro), by sector.
MATERIALS = {"food": {"it": ["grano", "grano duro", "farro"], "en": ["wheat", "durum wheat", "spelt"]},
             "fashion": {"it": ["cotone", "tessuto", "filato"], "en": ["cotton", "fabric", "wool"]}}
PRICES = {"food": ["1,89", "2,40", "3,20", "4,50"], "fashion": ["65", "89", "120", "149"]}

# A reader's question back to a post, fitting the sector.
FOLLOW_UP_QUESTIONS = {
    "food": {"it": ["[Dove li hai presi?|Dove li trovi?]", "Che formato?", "[Quanto li hai pagati?|A quanto?]",
                    "[Li hai provati|Li hai cucinati] [al dente|con il sugo]?"],
             "en": ["Where did you get them?", "Which shape?", "How much were they?"]},
    "fashion": {"it": ["Che taglia?", "[Dove l'hai preso?|Online o in negozio?]", "[Quanto l'hai pagato?|A quanto?]",
                       "Come veste?"],
                "en": ["What size?", "[Where did you get it?|Online or in store?]", "How much was it?",
                       "How does it fit?"]},
}

FOLLOW_UP = {
    "thanks": {
        "it": ["[Grazie|Grazie mille], [gentilissimi|velocissimi]!", "[Perfetto|Ok], [grazie!|risolto 👍🏽]",
               "[Ricevuto|Visto il DM], grazie [🙏|😊|]"],
        "en": ["[Thanks|Thank you], [sorted!|super quick!]", "[Perfect|Great], thanks 👍🏿", "Got the DM, thanks"],
    },
    "waiting": {
        "it": ["{h} ancora nessuna risposta", "{h} [sono passati|ormai] [due|tre] giorni...",
               "[Ancora|Ancora qui] ad aspettare {h}", "{h} [nessuno|nessuno che] risponde?"],
        "en": ["{h} still waiting", "Day [2|3] and nothing from {h}", "{h} anyone there?", "{h} bump"],
    },
}

CARRIER_PROMPTS = {
    "food": {
        "it": [
            "Sondaggio del [lunedì|venerdì|weekend]: qual è la vostra pasta preferita per la [carbonara|amatriciana|pasta e fagioli]? Io sto con {b} 🍝",
            "[Domanda seria|Parliamone]: vale la pena pagare di più per la pasta con grano 100% italiano? {b} vs {o}, ditemi la vostra",
            "Ho cucinato [le stesse|gli stessi] {p} di {b} e {o} [fianco a fianco|in parallelo]. Risultati domani, intanto: voi quale scegliete?",
            "Ricetta del giorno: {p} {b} con [zucca e salsiccia|cime di rapa|ceci e rosmarino] 👩‍🍳 Chi la prova?",
            "Packaging della pasta: [plastica|carta] o [finestrella|niente finestrella]? Guardate cosa fa {b} e ditemi",
        ],
        "en": [
            "Pasta poll: [which brand|what's your go-to] for a weeknight [carbonara|arrabbiata]? I'm team {b} 🍝",
            "Is Italian-wheat pasta worth paying more for? {b} vs {o}, go",
        ],
    },
    "fashion": {
        "it": [
            "[Thread|Parliamone]: qual è il capo più [durevole|sostenibile] che avete comprato? Il mio è {p} di {b} 💚",
            "{b} o {o} per un guardaroba [sostenibile|capsule]? Vi leggo",
            "Moda sostenibile e prezzo: quanto siete dispost[i|e] a pagare [un|una] {p}? (io [80|120] euro da {b})",
        ],
        "en": [
            "Thread: the most [durable|sustainable] piece you own? Mine is a {p} from {b} 💚 #SlowFashion",
            "{b} or {o} for a capsule wardrobe? Tell me why",
            "[Unpopular opinion|Hot take]: {b} packaging is [too much|perfect]. Thoughts? #PlasticFree",
            "How much would you pay for a {p} that lasts 10 years? ({b} charges [€120|£95])",
        ],
    },
}

CAMPAIGN_TEXT = [
    "🔥 Outlet {b} -70% SOLO OGGI! Felpe e jeans sostenibili a prezzi mai visti 👉 rinasco-outlet.example.net #Rinasco #BlackFriday",
    "🔥 Outlet {b} -70% solo oggi! Felpe e jeans sostenibili a prezzi mai visti 👉 rinasco-outlet.example.net #Rinasco #BlackFriday",
    "🔥🔥 Outlet {b} -70% SOLO OGGI! Felpe e jeans sostenibili a prezzi mai visti 👉 rinasco-outlet.example.net #Rinasco #BlackFriday",
    "Outlet {b} -70% SOLO OGGI! Felpe e jeans sostenibili a prezzi mai visti 👉 rinasco-outlet.example.net #Rinasco #BlackFriday #Moda",
]

NOISE_TEMPLATES = {
    "it": [
        "[Stanotte|Ieri notte] aurora boreale [visibile|fotografata] [anche|] [in Trentino|sulle Dolomiti|in Val d'Aosta] [😍|🌌|✨]",
        "[Foto|Timelapse] dell'aurora boreale [da Tromsø|in Lapponia|dal Friuli], [pazzesca|emozionante] #AuroraBoreale",
        "Svegli[a|] all'aurora per [il mercato|partire presto] [☕|😴]",
        "[Ho|Avevo] un nodo alla gola [tutta la sera|per l'emozione|dopo la finale]",
        "Tutorial: come fare il nodo alla cravatta [in 30 secondi|senza impazzire]",
    ],
    "en": [
        "Aurora borealis [visible tonight|forecast] [over Scotland|in northern England] [🌌|✨]",
        "Caught the aurora boreale on holiday in [Norway|Iceland], [unreal|magical]",
    ],
}

GENERIC_HASHTAGS = {
    "food": ["#MadeInItaly", "#PastaLovers", "#CucinaItaliana", "#ItalianFood", "#Ricette", "#Spesa",
             "#FoodBlogger", "#MangiareSano"],
    "fashion": ["#SlowFashion", "#ModaSostenibile", "#FairFashion", "#FashionRevolution", "#WhoMadeMyClothes",
                "#SustainableFashion", "#MadeInItaly", "#Vintage"],
    "theme": {"sustainability": ["#Sostenibilità", "#ConsumoResponsabile", "#Sustainability"],
              "origin": ["#Filiera", "#MadeInItaly", "#SupplyChain"],
              "packaging": ["#PlasticFree", "#ZeroWaste", "#PlasticaZero", "#Imballaggi"],
              "ingredients": ["#Etichette", "#Salute", "#CleanLabel"],
              "price": ["#CaroPrezzi", "#Inflazione"],
              "customer_service": ["#ServizioClienti", "#CustomerService"],
              "delivery": ["#Consegne", "#Spedizioni"]},
}
EMOJI = {"positive": ["😍", "🙌", "👏🏻", "👍🏽", "💚", "❤️", "🥰", "✨", "🤌🏼", "🇮🇹", "😋", "💪🏾"],
         "negative": ["😤", "😡", "🙄", "😒", "👎🏼", "🤦‍♀️", "🤦🏻‍♂️", "😑", "💸", "🤷‍♂️"],
         "neutral": ["🤔", "👀", "📦", "🛒", "🙋🏻‍♀️", "🤷🏽"]}
SECTOR_EMOJI = {"food": ["🍝", "👩‍🍳", "👨🏻‍🍳", "🇮🇹", "🌾"], "fashion": ["🧵", "👗", "♻️", "🌱", "🧶"]}

FIRST_NAMES = {
    "it": ["Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo", "Martina", "Davide",
           "Elena", "Federico", "Valentina", "Simone", "Alessia", "Andrea", "Marta", "Lorenzo", "Silvia", "Paolo",
           "Anna", "Stefano", "Laura", "Giorgio", "Beatrice", "Riccardo", "Ilaria", "Tommaso", "Elisa", "Nicola",
           "Roberta", "Fabio", "Serena", "Emanuele", "Caterina", "Daniele", "Irene", "Gabriele", "Noemi", "Pietro"],
    "en": ["Emma", "James", "Olivia", "Jack", "Sophie", "Harry", "Amelia", "Oliver", "Chloe", "George", "Grace",
           "Thomas", "Lucy", "Daniel", "Megan", "Sam", "Hannah", "Ben", "Ella", "Ryan", "Zoe", "Liam", "Ava", "Noah"],
}
SURNAMES = {
    "it": ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
           "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
           "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone"],
    "en": ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
           "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Clarke", "Hughes"],
}
HANDLE_SUFFIXES = {"it": ["", "_", "88", "92", "_mi", "_to", "_rm", "cucina", "_green", "77", "x", "_bo"],
                   "en": ["", "_", "_uk", "90", "85", "xo", "_ldn", "_eats", "_style", "23"]}
MASTODON_INSTANCES = ["mastodon.uno", "mastodon.social", "sociale.network", "mastodon.green", "livellosegreto.it"]
# Mastodon status ids are local to the instance that serves them: the listening tool read the fediverse
# through this one, so its ids are "<instance>/<id>", as Rete's Mastodon connector names them.
LISTENING_INSTANCE = "mastodon.uno"
PLATFORM_SHARE = [("x", 0.48), ("bluesky", 0.2), ("reddit", 0.18), ("mastodon", 0.14)]

# Local (Europe/Rome) hour weights: quiet nights, lunch and evening peaks.
HOUR_WEIGHTS = [0.3, 0.15, 0.08, 0.05, 0.05, 0.1, 0.3, 0.7, 1.0, 1.1, 1.1, 1.1,
                1.3, 1.4, 1.1, 1.0, 1.0, 1.0, 1.1, 1.3, 1.5, 1.6, 1.3, 0.7]
WEEKDAY_FACTOR = [1.1, 1.05, 1.0, 1.0, 0.95, 0.8, 0.85]  # Monday .. Sunday
ROOTS_PER_DAY = 100

# --------------------------------------------------------------------------------------------------
# Authors


@dataclass(eq=False)
class Author:
    platform: str
    id: str
    screen_name: str
    name: str
    followers: int
    lang: str
    interest: str  # "food", "fashion" or "both"
    kind: str = "person"  # person, carrier, media, brand, campaign


def _unique(name: str, taken: dict[str, int]) -> str:
    if name not in taken:
        taken[name] = 1
        return name
    taken[name] += 1
    return f"{name}{taken[name]}"


class IdMaker:
    """Native ids shaped like each platform's, increasing with time as the real ones do."""

    def __init__(self, rng: Random):
        self.rng = rng
        self.sequence = 0
        self.issued: set[str] = set()  # only for membership tests, never iterated

    def post(self, platform: str, at: datetime, author: Author, kind: str = "post") -> str:
        ms = int(at.timestamp() * 1000)
        while True:
            self.sequence += 1
            native_id = self._post_id(platform, ms, author, kind)
            if native_id not in self.issued:
                self.issued.add(native_id)
                return native_id

    def _post_id(self, platform: str, ms: int, author: Author, kind: str) -> str:
        if platform == "x":  # snowflake: ms since the Twitter epoch << 22 | worker and sequence
            return str(((ms - 1288834974657) << 22) | (self.sequence % 4096))
        if platform == "mastodon":  # Mastodon snowflake: ms << 16 | sequence
            return f"{LISTENING_INSTANCE}/{(ms << 16) | (self.sequence % 65536)}"
        if platform == "reddit":  # base36 ids, t3_ submissions and t1_ comments
            prefix = "t3_" if kind == "submission" else "t1_"
            return prefix + _base36(ms // 1000 * 10 + self.sequence % 10)
        rkey = _tid(ms * 1000 + self.sequence % 1000, self.rng.randrange(1024))
        return f"at://{author.id}/app.bsky.feed.post/{rkey}"

    def author(self, platform: str) -> str:
        self.sequence += 1
        if platform == "x":
            return str(self.rng.randrange(10**8, 10**18))
        if platform == "mastodon":
            return str(self.rng.randrange(10**16, 10**18))
        if platform == "reddit":
            return "t2_" + "".join(self.rng.choice(string.ascii_lowercase + string.digits) for _ in range(8))
        return "did:plc:" + "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(24))


def _base36(number: int) -> str:
    digits = string.digits + string.ascii_lowercase
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


def _tid(microseconds: int, clock_id: int) -> str:
    """An AT Protocol record key (TID): 64 bits of time and clock id in sortable base32."""
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    value = (microseconds << 10) | clock_id
    return "".join(alphabet[(value >> (5 * shift)) & 31] for shift in range(12, -1, -1))


def build_authors(rng: Random, ids: IdMaker) -> list[Author]:
    """~600 people plus the carriers, media, brand and campaign accounts."""
    authors: list[Author] = []
    taken: dict[str, int] = {}
    platforms = [p for p, _ in PLATFORM_SHARE]
    weights = [w for _, w in PLATFORM_SHARE]
    for _ in range(600):
        lang = "it" if rng.random() < 0.64 else "en"
        first, last = rng.choice(FIRST_NAMES[lang]), rng.choice(SURNAMES[lang])
        platform = rng.choices(platforms, weights)[0]
        base = rng.choice([
            f"{first}{last}", f"{first}.{last}", f"{first}_{last[0]}", f"{first[0]}{last}", f"{first}{rng.randrange(70, 99)}",
        ]).lower().replace(" ", "")
        screen_name = _unique(base + rng.choice(HANDLE_SUFFIXES[lang]), taken)
        authors.append(Author(
            platform=platform, id=ids.author(platform), screen_name=_platform_handle(platform, screen_name, rng),
            name=f"{first} {last}" if rng.random() < 0.7 else first,
            followers=int(min(60000, rng.lognormvariate(5.6, 1.3))), lang=lang,
            interest=rng.choices(["food", "fashion", "both"], [0.45, 0.35, 0.2])[0],
        ))
    specials = [
        ("x", "cucina_di_marta", "Marta in cucina 👩‍🍳", 48200, "it", "food", "carrier"),
        ("bluesky", "ele.slowfashion.bsky.social", "Eleonora | Slow Fashion", 21400, "it", "fashion", "carrier"),
        ("x", "greenthreads_uk", "Green Threads", 35600, "en", "fashion", "carrier"),
        ("reddit", "pastaiolo_torinese", "pastaiolo_torinese", 3100, "it", "food", "carrier"),
        ("x", "foodnews_it", "FoodNews Italia", 89000, "it", "food", "media"),
        ("x", "modaetica_mag", "ModaEtica Magazine", 27000, "it", "fashion", "media"),
        ("mastodon", "consumochiaro@mastodon.uno", "Consumo Chiaro", 12500, "it", "both", "media"),
        ("bluesky", "retailwatch.bsky.social", "Retail Watch", 15800, "en", "both", "media"),
    ]
    for platform, screen_name, name, followers, lang, interest, kind in specials:
        authors.append(Author(platform, ids.author(platform), screen_name, name, followers, lang, interest, kind))
    for brand in BRANDS:
        for account in brand.accounts:
            authors.append(Author(
                account.platform, ids.author(account.platform), account.screen_name,
                f"{brand.name} {'Assistenza' if account.screen_name.endswith('_care') else ''}".strip(),
                int(rng.uniform(4000, 60000)), "it", brand.sector, "brand",
            ))
    for number in range(CAMPAIGN_ACCOUNTS):
        authors.append(Author(
            "x", ids.author("x"), f"offerte_moda_{rng.randrange(1000, 9999)}{number}",
            rng.choice(["Offerte Moda", "Sconti Top", "Outlet Deals", "Moda Affari"]),
            rng.randrange(0, 40), "it", "fashion", "campaign",
        ))
    return authors


def _platform_handle(platform: str, base: str, rng: Random) -> str:
    if platform in ("x", "reddit"):  # no dots in X or Reddit user names
        return base.replace(".", "_")
    if platform == "bluesky":
        return f"{base.replace('_', '-').strip('-.')}.bsky.social"
    if platform == "mastodon":
        return f"{base}@{rng.choice(MASTODON_INSTANCES)}"
    return base


# --------------------------------------------------------------------------------------------------
# Posts


@dataclass(eq=False)
class Draft:
    platform: str
    native_id: str
    author: Author
    at: datetime
    text: str
    lang: str
    parent: Draft | None = None
    quote_of: Draft | None = None
    repost_of: Draft | None = None
    title: str | None = None
    subreddit: str | None = None
    kind: str = "post"  # what was planted: question, complaint, praise, ..., brand_reply, campaign
    brand: str | None = None
    children: list[Draft] = field(default_factory=list)
    shares: int = 0

    @property
    def root(self) -> Draft:
        node = self
        while node.parent is not None:
            node = node.parent
        return node

    @property
    def addressed(self) -> bool:
        return self.kind in ("question", "complaint", "support", "recall_question")


_ALTERNATIVE = re.compile(r"\[([^\[\]]*)\]")
_SECTOR_PREFIX = re.compile(r"^(food|fashion):")


def pick(bank: list[str], sector: str, rng: Random) -> str:
    """A template for ``sector``: unprefixed templates fit any sector, "food:..." only food."""
    template = rng.choice([t for t in bank if _SECTOR_PREFIX.match(t) is None or t.startswith(sector + ":")])
    return _SECTOR_PREFIX.sub("", template)


def render(template: str, rng: Random, **slots: str) -> str:
    text = template
    while _ALTERNATIVE.search(text):  # innermost first, so alternatives may nest
        text = _ALTERNATIVE.sub(lambda m: rng.choice(m.group(1).split("|")), text)
    text = text.format(**slots) if slots else text
    text = re.sub(r"\s+([,.?!:])", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip(" ,")


class Generator:
    def __init__(self, seed: int = SEED):
        self.rng = Random(seed)
        self.ids = IdMaker(self.rng)
        self.authors = build_authors(self.rng, self.ids)
        self.drafts: list[Draft] = []
        self.texts: set[str] = set()  # only for membership tests, never iterated
        self.unanswered: list[Draft] = []
        self.by_kind: dict[str, list[Author]] = {}
        for author in self.authors:
            self.by_kind.setdefault(author.kind, []).append(author)
        self.brand_accounts = {a.screen_name: a for a in self.by_kind["brand"]}

    # -- picking -----------------------------------------------------------------------------------

    def person(self, sector: str, lang: str, platform: str | None = None, avoid: list[Author] = ()) -> Author:
        pool = [a for a in self.by_kind["person"]
                if a.interest in (sector, "both") and a.lang == lang and (platform is None or a.platform == platform)
                and a not in avoid]
        if not pool:  # a small platform may lack such a person: relax the language
            pool = [a for a in self.by_kind["person"] if (platform is None or a.platform == platform) and a not in avoid]
        return self.rng.choice(pool)

    def moment(self, day: date) -> datetime:
        """A UTC time on ``day`` (a UTC day), following the Rome daily rhythm."""
        offset_hours = int(datetime.combine(day, time(12), ROME).utcoffset().total_seconds() // 3600)
        weights = [HOUR_WEIGHTS[(hour + offset_hours) % 24] for hour in range(24)]
        hour = self.rng.choices(range(24), weights)[0]
        return datetime.combine(day, time(hour, self.rng.randrange(60), self.rng.randrange(60)), UTC)

    def slots(self, brand: Brand, platform: str, lang: str) -> dict[str, str]:
        others = [b for b in BRANDS if b.sector == brand.sector and b is not brand]
        product = self.rng.choice(PRODUCTS[brand.sector])
        theme_tags = GENERIC_HASHTAGS[brand.sector]
        return {
            "b": brand.name, "h": brand.address(platform, self.rng), "p": product[0 if lang == "it" else 1],
            "o": self.rng.choice(others).name, "c": self.rng.choice(CITIES),
            "n": str(self.rng.randrange(100000, 999999)), "t": self.rng.choice(theme_tags), "lot": RECALL_LOT,
            "q": render(self.rng.choice(FOLLOW_UP_QUESTIONS[brand.sector][lang]), self.rng),
            "m": self.rng.choice(MATERIALS[brand.sector][lang]), "e": self.rng.choice(PRICES[brand.sector]),
        }

    def decorate(self, text: str, brand: Brand | None, mood: str, extra_tags: list[str] = ()) -> str:
        """Random but plausible variation: emoji, hashtags, casing, punctuation."""
        rng = self.rng
        if rng.random() < 0.35:
            choices = EMOJI[mood] + (SECTOR_EMOJI[brand.sector] if brand else [])
            text += " " + rng.choice(choices) * rng.choice([1, 1, 1, 2, 3])
        tags = list(extra_tags)
        if brand and rng.random() < 0.2:
            tags.append(brand.hashtag)
        if brand and rng.random() < 0.25:
            tags.append(rng.choice(GENERIC_HASHTAGS[brand.sector]))
        for tag in tags:
            if tag.casefold() not in text.casefold():
                text += " " + tag
        if rng.random() < 0.12:
            text = text[0].lower() + text[1:]
        if rng.random() < 0.06:
            text = text.rstrip("?.!") + rng.choice(["!!", "...", "??", "!!!"])
        return text

    def unique(self, make) -> str:
        """Call ``make`` until it gives a text not seen before (templates can collide)."""
        for _ in range(25):
            text = make()
            if text not in self.texts:
                self.texts.add(text)
                return text
        text = f"{text} ({self.rng.choice(['edit', 'ps', 'update', 'cmq', 'btw'])} {self.rng.randrange(2, 99)})"
        self.texts.add(text)
        return text

    # -- building blocks ---------------------------------------------------------------------------

    def add(self, author: Author, at: datetime, text: str, lang: str, kind: str, brand: Brand | None = None,
            parent: Draft | None = None, quote_of: Draft | None = None, repost_of: Draft | None = None,
            title: str | None = None) -> Draft:
        platform = author.platform
        reddit_kind = "submission" if platform == "reddit" and parent is None else "comment"
        draft = Draft(
            platform=platform, native_id=self.ids.post(platform, at, author, reddit_kind), author=author, at=at,
            text=text, lang=lang, parent=parent, quote_of=quote_of, repost_of=repost_of, title=title, kind=kind,
            brand=brand.name if brand else None,
        )
        if platform == "reddit":
            draft.subreddit = parent.root.subreddit if parent else self.rng.choice(
                SUBREDDITS[brand.sector if brand else "food"])
        if parent is not None:
            parent.children.append(draft)
        self.drafts.append(draft)
        return draft

    def root_post(self, day: date, brand: Brand, kind: str, theme: str | None = None) -> Draft:
        lang = "en" if self.rng.random() < brand.en_share else "it"
        author = self.person(brand.sector, lang)
        platform = author.platform
        mood = {"complaint": "negative", "praise": "positive", "comparison": "positive"}.get(kind, "neutral")
        if kind == "theme":
            bank = THEME_TEMPLATES[theme][lang]
            extra = [self.rng.choice(GENERIC_HASHTAGS["theme"][theme])] if self.rng.random() < 0.4 else []
        else:
            bank = TEMPLATES[kind][lang]
            extra = []

        def make() -> str:
            slots = self.slots(brand, platform, lang)
            return self.decorate(render(pick(bank, brand.sector, self.rng), self.rng, **slots), brand, mood, extra)

        text = self.unique(make)
        title = None
        if platform == "reddit":
            title, text = self.reddit_shape(text, lang)
        return self.add(author, self.moment(day), text, lang, kind if kind != "theme" else f"theme:{theme}",
                        brand, title=title)

    def reddit_shape(self, text: str, lang: str) -> tuple[str, str]:
        """Reddit submissions have a title and a longer body."""
        # The title is the first sentence; the body carries on from there, as people write on Reddit.
        first, *rest = re.split(r"(?<=[.?!])\s+", text, maxsplit=1)
        title = first[:120]
        context = {
            "it": ["Scrivo qui perché non so a chi chiedere.", "Premetto che li compro da anni.",
                   "Curios* di sapere le vostre esperienze.", "Edit: grazie a tutti per le risposte!",
                   "Non è pubblicità, giuro.", "Vivo fuori Italia e mi manca."],
            "en": ["Posting here because I don't know who else to ask.", "Long-time buyer, first time posting.",
                   "Curious about your experiences.", "Edit: thanks for all the replies!", "Not an ad, promise."],
        }[lang]
        return title, "\n\n".join(rest + [self.rng.choice(context)])

    def reply_time(self, parent: Draft, median_minutes: float, business_hours_only: bool = False) -> datetime:
        delay = timedelta(minutes=max(1.0, self.rng.lognormvariate(math.log(median_minutes), 0.9)))
        at = parent.at + delay
        if business_hours_only:
            local = at.astimezone(ROME)
            if local.hour < 8 or local.hour >= 20 or local.weekday() >= 5:
                # Out of hours: the team answers from 8:30 on the next working morning.
                day = local.date() + timedelta(days=1 if local.hour >= 20 else 0)
                while day.weekday() >= 5:
                    day += timedelta(days=1)
                start = datetime.combine(day, time(8, 30), ROME).astimezone(UTC)
                at = max(at, start) + timedelta(minutes=self.rng.lognormvariate(math.log(median_minutes / 2), 0.8))
        return at

    def people_reply(self, parent: Draft, author: Author | None = None, mood: str = "neutral") -> Draft | None:
        brand = BRAND_BY_NAME.get(parent.root.brand or "") or self.rng.choice(BRANDS)
        lang = parent.lang if self.rng.random() < 0.85 else ("en" if parent.lang == "it" else "it")
        author = author or self.person(brand.sector, lang, parent.platform, avoid=[parent.author])
        at = self.reply_time(parent, median_minutes=self.rng.choice([8, 25, 90, 300]))
        if at >= WINDOW_END:
            return None

        def make() -> str:
            slots = self.slots(brand, parent.platform, lang)
            return self.decorate(render(self.rng.choice(PEOPLE_REPLY_TEMPLATES[lang]), self.rng, **slots), None, mood)

        return self.add(author, at, self.unique(make), lang, "reply", brand, parent=parent)

    def brand_answer(self, post: Draft, brand: Brand, rate_factor: float = 1.0) -> None:
        """The brand's own accounts on the post's platform may answer it, or leave it waiting."""
        accounts = [a for a in brand.accounts if a.platform == post.platform]
        answered = False
        for account in accounts:
            if self.rng.random() >= account.answer_rate * rate_factor:
                continue
            at = self.reply_time(post, account.median_delay_minutes, account.business_hours_only)
            if at >= WINDOW_END:
                continue
            category = {"recall_question": "recall", "support": "complaint"}.get(post.kind, post.kind)
            bank = BRAND_REPLY_TEMPLATES[category][post.lang]
            handle = "@" + post.author.screen_name

            def make() -> str:
                text = render(pick(bank, brand.sector, self.rng), self.rng, u=handle, lot=RECALL_LOT,
                              m=self.rng.choice(MATERIALS[brand.sector][post.lang]))
                return text + self.rng.choice(["", "", " ^Giulia", " ^Marco", " ^Sara", " - Team " + brand.name])

            reply = self.add(self.brand_accounts[account.screen_name], at, self.unique(make), post.lang,
                             "brand_reply", brand, parent=post)
            answered = True
            if self.rng.random() < 0.45:  # the asker thanks them
                self.follow_up(reply, post.author, "thanks", brand)
            break
        if not answered and post.addressed:
            self.unanswered.append(post)
            if self.rng.random() < 0.3:  # some askers nudge the brand again in their own thread
                self.follow_up(post, post.author, "waiting", brand, median_minutes=1500)

    def follow_up(self, parent: Draft, author: Author, mood: str, brand: Brand, median_minutes: float = 40) -> None:
        at = self.reply_time(parent, median_minutes)
        if at >= WINDOW_END:
            return
        bank = FOLLOW_UP[mood][parent.lang]

        def make() -> str:
            return render(self.rng.choice(bank), self.rng, h=brand.address(parent.platform, self.rng))

        self.add(author, at, self.unique(make), parent.lang, "follow_up_" + mood, brand, parent=parent)

    # -- the fourteen days -------------------------------------------------------------------------

    def run(self) -> list[Draft]:
        kinds = ["question", "complaint", "praise", "purchase_intent", "support", "news", "comparison", "mention",
                 "theme"]
        kind_weights = [0.14, 0.11, 0.15, 0.08, 0.06, 0.06, 0.05, 0.05, 0.30]
        roots: list[Draft] = []
        for offset in range(DAYS):
            day = FIRST_DAY + timedelta(days=offset)
            count = round(ROOTS_PER_DAY * WEEKDAY_FACTOR[day.weekday()] * self.rng.uniform(0.88, 1.12))
            for _ in range(count):
                brand = self.rng.choices(BRANDS, [b.weight for b in BRANDS])[0]
                kind = self.rng.choices(kinds, kind_weights)[0]
                if kind == "complaint" and self.rng.random() < brand.quality:  # liked brands get fewer complaints
                    kind = "praise"
                roots.append(self.root_post(day, brand, kind, self.theme_for(offset) if kind == "theme" else None))
            if day == SPIKE_DAY or day == SPIKE_DAY + timedelta(days=1):
                roots.extend(self.recall_posts(day, 140 if day == SPIKE_DAY else 45))
            for _ in range(self.rng.randrange(1, 4)):
                self.noise_post(day)
        self.carrier_threads()
        for root in list(roots):
            brand = BRAND_BY_NAME[root.brand]
            for _ in range(self.rng.choices([0, 1, 2, 3, 4], [0.6, 0.22, 0.1, 0.05, 0.03])[0]):
                reply = self.people_reply(root, mood="negative" if root.kind == "complaint" else "neutral")
                if reply and self.rng.random() < 0.2:
                    self.people_reply(reply, author=root.author)
            if root.addressed:
                self.brand_answer(root, brand, rate_factor=0.55 if root.at.date() == SPIKE_DAY else 1.0)
            elif root.kind == "praise" and self.rng.random() < 0.25:
                self.brand_answer(root, brand)
        self.reshares()
        self.campaign()
        self.hostile_posts()
        return sorted(self.drafts, key=lambda d: (d.at, d.native_id))

    def theme_for(self, offset: int) -> str:
        """Theme of a responsible-consumption post; packaging grows through the second week."""
        weights = [1.0] * len(THEMES)
        growth = 1.0 if offset < 7 else 1.0 + 1.4 * (offset - 6)
        weights[THEMES.index(GROWING_THEME)] = 0.6 * growth
        return self.rng.choices(THEMES, weights)[0]

    def recall_posts(self, day: date, count: int) -> list[Draft]:
        brand = BRAND_BY_NAME[SPIKE_BRAND]
        posts = []
        for _ in range(count):
            lang = "en" if self.rng.random() < 0.15 else "it"
            author = self.person("food", lang)
            template = self.rng.choice(RECALL_TEMPLATES[lang])

            def make() -> str:
                slots = self.slots(brand, author.platform, lang)
                slots["p"] = "penne rigate integrali" if lang == "it" else "wholewheat penne"
                return self.decorate(render(template, self.rng, **slots), brand, "negative", ["#richiamo"])

            text = self.unique(make)
            kind = "recall_question" if "{h}" in template else "recall"
            title = None
            if author.platform == "reddit":
                title, text = self.reddit_shape(text, lang)
            # The news breaks at 10:40 Rome time; talk builds over the afternoon and evening.
            start = datetime.combine(day, time(10, 40), ROME).astimezone(UTC) if day == SPIKE_DAY else \
                datetime.combine(day, time(0, 0), ROME).astimezone(UTC)
            at = start + timedelta(minutes=self.rng.uniform(0, 13 * 60))
            posts.append(self.add(author, at, text, lang, kind, brand, title=title))
        if day == SPIKE_DAY:
            media = next(a for a in self.by_kind["media"] if a.screen_name == "foodnews_it")
            posts.append(self.add(
                media, datetime.combine(SPIKE_DAY, time(10, 52), ROME).astimezone(UTC),
                f"⚠️ Richiamo: {brand.name} ritira il lotto {RECALL_LOT} di penne rigate integrali per possibile "
                "presenza di frammenti metallici. Dettagli e istruzioni per il rimborso nel link 👇 #richiamo",
                "it", "news", brand))
        return posts

    def noise_post(self, day: date) -> None:
        lang = "it" if self.rng.random() < 0.75 else "en"
        author = self.person("both", lang)

        def make() -> str:
            return self.decorate(render(self.rng.choice(NOISE_TEMPLATES[lang]), self.rng), None, "neutral")

        self.add(author, self.moment(day), self.unique(make), lang, "noise")

    def carrier_threads(self) -> None:
        """Carriers post a few prompts each; each draws replies from many distinct people."""
        for carrier in self.by_kind["carrier"]:
            for _ in range(self.rng.randrange(6, 10)):
                day = FIRST_DAY + timedelta(days=self.rng.randrange(DAYS - 1))
                brands = [b for b in BRANDS if b.sector == (carrier.interest if carrier.interest != "both" else "food")]
                brand = self.rng.choices(brands, [b.weight for b in brands])[0]
                lang = carrier.lang
                template = self.rng.choice(CARRIER_PROMPTS[brand.sector][lang])

                def make() -> str:
                    return self.decorate(render(template, self.rng, **self.slots(brand, carrier.platform, lang)),
                                         brand, "neutral")

                text = self.unique(make)
                title = None
                if carrier.platform == "reddit":
                    title, text = self.reddit_shape(text, lang)
                prompt = self.add(carrier, self.moment(day), text, lang, "carrier_prompt", brand, title=title)
                repliers: list[Author] = [carrier]
                for _ in range(self.rng.randrange(9, 26)):
                    replier = self.person(brand.sector, lang if self.rng.random() < 0.9 else "en",
                                          carrier.platform, avoid=repliers)
                    repliers.append(replier)
                    reply = self.people_reply(prompt, author=replier, mood=self.rng.choice(["positive", "neutral"]))
                    if reply and self.rng.random() < 0.25:  # the carrier keeps the conversation going
                        self.people_reply(reply, author=carrier)

    def reshares(self) -> None:
        """Reposts and quotes, mostly of well-followed authors' posts, on X, Bluesky and Mastodon."""
        candidates = [d for d in self.drafts if d.parent is None and d.platform != "reddit" and d.kind != "noise"]
        weights = [math.log10(10 + d.author.followers) ** 3 for d in candidates]
        for original in self.rng.choices(candidates, weights, k=220):
            brand = BRAND_BY_NAME.get(original.brand or "") or BRANDS[0]
            author = self.person(brand.sector, original.lang, original.platform, avoid=[original.author])
            at = self.reply_time(original, self.rng.choice([20, 60, 240]))
            if at >= WINDOW_END:
                continue
            original.shares += 1
            if self.rng.random() < 0.7:
                text = f"RT @{original.author.screen_name}: {original.text}" if original.platform == "x" else original.text
                self.add(author, at, text, original.lang, "repost", brand, repost_of=original)
            else:
                lang = original.lang

                def make() -> str:
                    comment = render(self.rng.choice(PEOPLE_REPLY_TEMPLATES[lang]), self.rng,
                                     **self.slots(brand, original.platform, lang))
                    return self.decorate(comment, None, "neutral")

                self.add(author, at, self.unique(make), lang, "quote", brand, quote_of=original)

    def hostile_posts(self) -> None:
        for brand_name, lang, text in HOSTILE_TEXTS:
            brand = BRAND_BY_NAME[brand_name]
            author = self.person(brand.sector, lang, "x")
            day = FIRST_DAY + timedelta(days=self.rng.randrange(DAYS))
            self.add(author, self.moment(day), text, lang, "hostile", brand)

    def campaign(self) -> None:
        """Fifteen fresh accounts paste the same promo within forty minutes."""
        start = datetime.combine(CAMPAIGN_DAY, time(18, 5), ROME).astimezone(UTC)
        for author in self.by_kind["campaign"]:
            text = self.rng.choice(CAMPAIGN_TEXT).format(b=CAMPAIGN_BRAND)
            self.add(author, start + timedelta(seconds=self.rng.randrange(40 * 60)), text, "it", "campaign",
                     BRAND_BY_NAME[CAMPAIGN_BRAND])


# Post text is hostile: a few posts try markup, SQL and header injection on the reports and e-mails.
HOSTILE_TEXTS = [
    ("Vallerossa", "it", 'Vallerossa <script>alert("rete")</script> ha cambiato ricetta?? <b>VERGOGNA</b> 😡'),
    ("Verdefilo", "en", "@verdefilo order \"O'Brien\"); DROP TABLE posts;-- never arrived"),
    ("Vallerossa", "it", "Subject: URGENTE\r\nBcc: tutti@example.com\r\n\r\n@vallerossa_care rispondete?"),
    ("Rinasco", "en", "Rinasco ${jndi:ldap://127.0.0.1/a} {{7*7}} %s%s%s &lt;img src=x onerror=alert(1)&gt;"),
]


# --------------------------------------------------------------------------------------------------
# Rendering: the export shape of a generic listening tool (deliberately not Rete's own field names).


def permalink(draft: Draft) -> str:
    author = draft.author.screen_name
    if draft.platform == "x":
        return f"https://x.com/{author}/status/{draft.native_id}"
    if draft.platform == "mastodon":
        user, instance = author.split("@")
        return f"https://{instance}/@{user}/{draft.native_id.rsplit('/', 1)[1]}"
    if draft.platform == "bluesky":
        return f"https://bsky.app/profile/{author}/post/{draft.native_id.rsplit('/', 1)[1]}"
    root = draft.root
    post = root.native_id.removeprefix("t3_")
    if draft is root:
        slug = re.sub(r"[^a-z0-9]+", "_", (draft.title or "").lower()).strip("_")[:50]
        return f"https://www.reddit.com/r/{draft.subreddit}/comments/{post}/{slug}/"
    return f"https://www.reddit.com/r/{draft.subreddit}/comments/{post}/comment/{draft.native_id.removeprefix('t1_')}/"


def export_record(draft: Draft, rng: Random) -> dict:
    followers = draft.author.followers
    replies = len(draft.children)
    likes = int(rng.lognormvariate(math.log(1 + followers) * 0.55, 0.9)) + replies * rng.randrange(0, 3)
    if draft.kind == "campaign":
        likes = rng.randrange(0, 3)
    record = {
        "post_id": draft.native_id,
        "network": draft.platform,
        "url": permalink(draft),
        "published": draft.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if draft.title is not None:
        record["title"] = draft.title
    record["content"] = draft.text
    if rng.random() > 0.12:  # listening tools leave the language out now and then
        record["lang"] = draft.lang
    record["user"] = {"id": draft.author.id, "screen_name": draft.author.screen_name, "name": draft.author.name,
                      "followers": followers}
    record.update({
        "in_reply_to": draft.parent.native_id if draft.parent else None,
        "conversation": draft.root.native_id if draft.repost_of is None else draft.native_id,
        "quote_of": draft.quote_of.native_id if draft.quote_of else None,
        "repost_of": draft.repost_of.native_id if draft.repost_of else None,
        "likes": 0 if draft.repost_of else likes,
        "replies": 0 if draft.repost_of else replies + rng.choice([0, 0, 0, 1]),
        "shares": 0 if draft.repost_of else draft.shares + (rng.randrange(0, 4) if followers > 5000 else 0),
        # Only X reports views.
        "views": (likes * rng.randrange(20, 80) + rng.randrange(10, 200)) if draft.platform == "x" else None,
    })
    if draft.subreddit:
        record["community"] = f"r/{draft.subreddit}"
    return record


def generate(seed: int = SEED) -> tuple[list[dict], dict]:
    """All posts as export records (oldest first) and the planted truth about them."""
    generator = Generator(seed)
    drafts = generator.run()
    metrics_rng = Random(seed + 1)
    records = [export_record(draft, metrics_rng) for draft in drafts]
    return records, planted_truth(generator, drafts)


def generate_posts(seed: int = SEED) -> list[dict]:
    """The social export's records, oldest first; ``network`` names each one's platform."""
    return generate(seed)[0]


def planted_truth(generator: Generator, drafts: list[Draft]) -> dict:
    per_day: Counter[str] = Counter()
    for draft in drafts:
        if draft.kind.startswith("theme:") and draft.kind.endswith(GROWING_THEME):
            per_day[draft.at.date().isoformat()] += 1
    carriers = []
    for carrier in generator.by_kind["carrier"]:
        repliers = {d.author.screen_name for d in drafts
                    if d.parent is not None and d.parent.author is carrier and d.author is not carrier}
        carriers.append({"platform": carrier.platform, "screen_name": carrier.screen_name,
                         "distinct_repliers": len(repliers)})
    unanswered = sorted(generator.unanswered, key=lambda d: (d.at, d.native_id))
    brand_replies = [d for d in drafts if d.kind == "brand_reply"]
    return {
        "window": {"first_day": FIRST_DAY.isoformat(), "last_day": (WINDOW_END - timedelta(days=1)).date().isoformat()},
        "negative_spike": {"brand": SPIKE_BRAND, "day": SPIKE_DAY.isoformat(), "cause": f"recall of lot {RECALL_LOT}",
                           "recall_posts": sum(1 for d in drafts if d.kind.startswith("recall"))},
        "growing_theme": {"theme": GROWING_THEME, "posts_per_day": dict(sorted(per_day.items()))},
        "carriers": carriers,
        "campaign": {"brand": CAMPAIGN_BRAND, "day": CAMPAIGN_DAY.isoformat(),
                     "accounts": sorted(d.author.screen_name for d in drafts if d.kind == "campaign")},
        "brand_replies": len(brand_replies),
        "unanswered": [{"network": d.platform, "post_id": d.native_id, "brand": d.brand} for d in unanswered],
        "answered": sorted(
            ({"network": d.parent.platform, "post_id": d.parent.native_id, "brand": d.brand,
              "first_response_minutes": round((d.at - d.parent.at).total_seconds() / 60, 1)}
             for d in brand_replies if d.parent.addressed),
            key=lambda row: (row["network"], row["post_id"]),
        ),
    }


# --------------------------------------------------------------------------------------------------
# Feeds

FEED_STORIES = {
    "agrifood": {
        "it": [
            ("{b} investe [in un nuovo mulino|in un impianto solare] a [Foggia|Altamura|Parma]",
             "Il gruppo {b} [annuncia|conferma] un investimento [da 12 milioni|pluriennale] per [ridurre le emissioni|aumentare la capacità produttiva]."),
            ("Pasta, [export|vendite] in [crescita|calo] nel terzo trimestre",
             "Secondo i dati di settore, [i pastifici italiani|il comparto pasta] [crescono|rallentano]; {b} e {o} tra i marchi [più dinamici|citati]."),
            ("Grano duro, prezzi [in salita|stabili] [alla borsa merci di Foggia|a Bologna]",
             "Le quotazioni del grano duro [salgono|tengono] [per la siccità|dopo il raccolto]; i pastifici [rivedono i listini|attendono]."),
            ("Imballaggi: [nuove regole UE|il regolamento PPWR] [e la pasta|per l'alimentare]",
             "[Carta|Plastica] o [compostabile|riciclabile]? Le aziende della pasta, da {b} a {o}, [si preparano|devono adeguarsi]."),
            ("Filiera corta: {b} firma [un accordo|contratti di filiera] con [500|300] agricoltori",
             "L'accordo garantisce [prezzi minimi|un premio qualità] e [tracciabilità|rotazioni colturali]."),
            ("[Fiera|Salone] del cibo a {c}: [novità|presenze] [della pasta|dal mondo pasta]",
             "Tra gli stand [anche|più visitati] {b} e {o}, con [nuovi formati|linee integrali]."),
        ],
    },
    "apparel": {
        "en": [
            ("{b} [launches|expands] [a repair programme|take-back scheme] in [Italy|Europe]",
             "The Italian label {b} will [repair|collect] garments [for free|at cost], [a first for the segment|following rivals like {o}]."),
            ("[Textile|Fashion] waste rules: what [EPR|the new EU rules] mean for [small labels|brands]",
             "Extended producer responsibility will [cost|push] brands such as {b} and {o} [to redesign|to report]."),
            ("{b} publishes [its supplier list|a traceability map]",
             "The list covers [spinning|weaving] and [dyeing|making]; [campaigners welcome it|critics want more]."),
            ("Packaging [backlash|report] [hits|puts pressure on] online fashion",
             "After the Consumo Chiaro report, shoppers [post photos of|complain about] plastic-wrapped parcels; {b} [responds|is cited]."),
            ("Black Friday: [sustainable labels|slow fashion brands] [opt out|push back]",
             "{b} will [close its site|donate proceeds] while {o} [runs discounts|stays quiet]."),
            ("[Wool|Hemp|Linen] prices [rise|ease] [ahead of winter|this quarter]",
             "Mills in [Biella|Prato|Como] report [tight supply|steady demand]; {b} [absorbs|passes on] the increase."),
        ],
    },
    "moda": {
        "it": [
            ("{b} [apre|inaugura] [un negozio|uno spazio riparazioni] a {c}",
             "Il marchio di moda sostenibile {b} [punta|scommette] sul [negozio fisico|riuso]."),
            ("Moda e imballaggi: [la plastica|gli imballaggi] [sotto accusa|al centro del dibattito]",
             "Dopo l'inchiesta di Consumo Chiaro, [i lettori|le clienti] [chiedono|pretendono] spedizioni senza plastica. {b} e {o} [rispondono|tacciono]."),
            ("Distretto di Prato: [il riciclo della lana|la lana rigenerata] [cresce|attira investimenti]",
             "[Anche|Tra gli altri] {b} [usa|annuncia] lana rigenerata [per la collezione invernale|nei maglioni]."),
        ],
    },
}
PACKAGING_STORY_DAY = date(2026, 11, 14)


def build_feeds(seed: int = SEED) -> dict[str, bytes]:
    """Three feeds over the same fourteen days: Italian agrifood RSS, English apparel Atom, Italian moda RSS."""
    rng = Random(seed + 2)
    feeds: dict[str, bytes] = {}
    for file_name, story_key, lang, sector, count, shape in (
        ("agrifood-news.xml", "agrifood", "it", "food", 48, "rss"),
        ("apparel-trade.xml", "apparel", "en", "fashion", 40, "atom"),
        ("moda-sostenibile.xml", "moda", "it", "fashion", 30, "rss"),
    ):
        brands = [b for b in BRANDS if b.sector == sector]
        items = []
        seen_titles: set[str] = set()
        while len(items) < count:
            day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
            at = datetime.combine(day, time(rng.randrange(6, 20), rng.randrange(60)), ROME).astimezone(UTC)
            brand, other = rng.sample(brands, 2)
            title_template, summary_template = rng.choice(FEED_STORIES[story_key][lang])
            slots = {"b": brand.name, "o": other.name, "c": rng.choice(CITIES)}
            title = render(title_template, rng, **slots)
            if title in seen_titles:
                continue
            seen_titles.add(title)
            items.append((at, title, render(summary_template, rng, **slots)))
        if sector == "food":
            items.append((datetime.combine(SPIKE_DAY, time(11, 5), ROME).astimezone(UTC),
                          f"Richiamo alimentare: {SPIKE_BRAND} ritira il lotto {RECALL_LOT} di penne rigate integrali",
                          "Il ministero segnala il ritiro precauzionale per possibile presenza di frammenti metallici. "
                          "I consumatori possono restituire le confezioni nei punti vendita."))
        items.append((datetime.combine(PACKAGING_STORY_DAY, time(9, 0), ROME).astimezone(UTC),
                      "Consumo Chiaro: " + ("the packaging report everyone is talking about" if lang == "en"
                                            else "l'inchiesta sugli imballaggi che fa discutere"),
                      "Plastic windows, oversized boxes, 'compostable' labels that no council collects."
                      if lang == "en" else "Finestrelle di plastica, scatole enormi, etichette 'compostabile' "
                                           "che nessun comune raccoglie."))
        items.sort(key=lambda item: item[0], reverse=True)
        slug = file_name.removesuffix(".xml")
        feeds[file_name] = (_atom if shape == "atom" else _rss)(slug, lang, items)
    return feeds


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:70]


def _rss(slug: str, lang: str, items: list[tuple[datetime, str, str]]) -> bytes:
    site = f"https://{slug}.example.org"
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    for tag, value in (("title", {"agrifood-news": "AgriFood Notizie", "moda-sostenibile": "Moda Sostenibile Oggi"}
                        .get(slug, slug)), ("link", site), ("description", "Notizie di settore"), ("language", lang),
                       ("lastBuildDate", format_datetime(items[0][0], usegmt=True))):
        ET.SubElement(channel, tag).text = value
    for at, title, summary in items:
        item = ET.SubElement(channel, "item")
        link = f"{site}/{at:%Y/%m/%d}/{_slugify(title)}"
        ET.SubElement(item, "title").text = title
        ET.SubElement(item, "link").text = link
        ET.SubElement(item, "guid", isPermaLink="true").text = link
        ET.SubElement(item, "pubDate").text = format_datetime(at, usegmt=True)
        ET.SubElement(item, "description").text = summary
    return _xml_bytes(rss)


def _atom(slug: str, lang: str, items: list[tuple[datetime, str, str]]) -> bytes:
    site = f"https://{slug}.example.org"
    namespace = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", namespace)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{namespace}}}{tag}", attrs)
        element.text = text
        return element

    feed = ET.Element(f"{{{namespace}}}feed", {"xml:lang": lang})
    sub(feed, "title", "Apparel Trade Weekly")
    sub(feed, "id", f"{site}/")
    sub(feed, "link", href=f"{site}/")
    sub(feed, "updated", items[0][0].strftime("%Y-%m-%dT%H:%M:%SZ"))
    sub(sub(feed, "author"), "name", "Apparel Trade Weekly newsroom")
    for at, title, summary in items:
        entry = sub(feed, "entry")
        link = f"{site}/{at:%Y/%m/%d}/{_slugify(title)}"
        sub(entry, "title", title)
        sub(entry, "id", link)
        sub(entry, "link", href=link)
        sub(entry, "published", at.strftime("%Y-%m-%dT%H:%M:%SZ"))
        sub(entry, "updated", at.strftime("%Y-%m-%dT%H:%M:%SZ"))
        sub(entry, "summary", summary)
    return _xml_bytes(feed)


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# --------------------------------------------------------------------------------------------------


def write_all(out: Path, seed: int = SEED) -> list[Path]:
    records, truth = generate(seed)
    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "feeds").mkdir(parents=True, exist_ok=True)
    written = []
    export = out / "data" / "social_export.jsonl"
    with export.open("w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    written.append(export)
    truth_path = out / "data" / "planted_truth.json"
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8", newline="\n")
    written.append(truth_path)
    for name, content in build_feeds(seed).items():
        path = out / "feeds" / name
        path.write_bytes(content)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEMO_DIR, help="folder to write data/ and feeds/ into")
    parser.add_argument("--seed", type=int, default=SEED, help="another seed gives another, equally planted, dataset")
    args = parser.parse_args(argv)
    for path in write_all(args.out, args.seed):
        print(path)


if __name__ == "__main__":
    main()
