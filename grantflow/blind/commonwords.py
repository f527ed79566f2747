"""Words that are also given names, surnames, email local parts or acronyms.

A first or last name alone, an email's local part, a website label and an acronym are masked by
themselves only when they are not one of these words (a director called Grace must not hide
every "grace period"); the full name, the address and the domain are always masked.
"""
from __future__ import annotations

COMMON_WORDS = frozenset("""
a able about above act add after again age ago air all also am among an and any april apt are area
art as ask at august aunt autumn away baby back bad ball band bank bar base be bear bell best big bill
bird black blue board body bond book boss box boy brand bread bright brook brooks brown build bush
but buy by call can cap car care carol case cash cat center chance chase cherry chief child church
city clay cliff club co coach coast cole colt come community cook cool cope corn cost could council
court cross crown cup dale dash dawn day dean dear deep delta desert dew did diamond do doe
does dog dollar don door dove down dr drew dust each early earl earth east easy eat echo eden eight
else end esq eve even ever every faith fall far farm fast fay fern field fig file fine fish five
flag floor flower fog food for ford forest fort four fox frank free friday from front gale game gay
gem gift girl give glad glen go gold golden good grace grand grant gray great green grove guy had
hall hand happy harbor hardy harmony has hat have hay he hello help her here hero high hill his hold
holly home honey hope hot house how hunter i if in info iris is it its ivy jack jade jazz
 jewel job joy judge july jump june just justice keen key kid kind king kit lake lamb land
lane last law lead legal less let liberty life light like lily line lion little live lo long
lord lot love low luck lucky lyric mail main major man many march mark marsh mason may me mead
meadow mercy mid might miles mill miller mine mint miss mo monday moon more moss most much
must my nail name neat new news next night nine no noble none north not now oak of off office
ok old olive on one only open or orange order org other our out over own page palm park part pat
path peace pearl penny pepper per pier pine pink plain play plaza pool poor post power price prince
pro queen quick rain ray read red reed rich ridge ring river rivers road robin rock rod rose
row ruby rush sage saint sales same sand say school sea season see sell service set seven shadow
she shell shore short should sierra silver sky small smith snow so some son south sparrow spring
square staff star start state stay steel stone storm story street strong summer sun sunday sunny
sweet tab tea team ten than that the their them then there these they thing this those three thus
tide time to today too top town tree trust truth try tuesday two union unity up us use valley van
very vine violet wade walk wall want ward warm was water way we week well west what when where
which white who why will win wind winter wise with wood woods work worker would yard year yes yet
you young your zip
admin contact director hello hi inquiries jobs mail media news office press programs support team
webmaster grants finance billing accounts coordinator network example test www
""".split())
