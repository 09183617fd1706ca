/* YARA rules written for trawl's importer tests. */
import "pe"

rule TwoStrings : tag1
{
  meta:
    description = "two strings"
  strings:
    $a = "alpha" nocase
    $b = { 62 65 ?? 61 }
    $c = /gam+a/
  condition:
    $a and ($b or $c)
}

rule CountRule {
  strings:
    $x = "xx"
  condition:
    #x > 2
}

rule UsesModule {
  strings:
    $a = "mz"
  condition:
    $a and pe.number_of_sections > 2
}

rule Wide {
  strings:
    $w = "hi" wide
  condition:
    $w
}

rule Commented {
  strings:
    $a = "commented"
  condition:
    (   // a comment that must not swallow the rest once on one line
      $a or  /* and a block
                comment */
      filesize < 0 )
}
